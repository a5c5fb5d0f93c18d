"""The modelbuild repository's package: the credit pipeline (lab 2's `pipelines/credit/`)
and the two commands the build calls, `run-pipeline` and `get-pipeline-definition`.

The requirements are the workshop's pins: on AWS, CodeBuild installs them; offline they are
already in the environment, so `pip install .` downloads nothing.
"""

from setuptools import find_packages, setup

setup(
    name="credit-pipelines",
    version="1.0.0",
    description="The credit-default model's SageMaker Pipeline, run by the project's CI",
    packages=find_packages(include=["pipelines", "pipelines.*"]),
    package_data={"pipelines": ["*/*.py"]},
    python_requires=">=3.11",
    install_requires=["sagemaker==3.27.0", "boto3==1.43.117"],
    entry_points={
        "console_scripts": [
            "run-pipeline=pipelines.run_pipeline:main",
            "get-pipeline-definition=pipelines.get_pipeline_definition:main",
        ]
    },
)
