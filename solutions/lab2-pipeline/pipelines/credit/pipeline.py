"""The credit model's build pipeline, as the modelbuild project of the original demo has it.

PreprocessCreditData -> TrainCreditModel -> EvaluateCreditModel -> CheckAucCreditEvaluation,
which registers the model (RegisterCreditModel, awaiting approval) when the test AUC
reaches the threshold, and otherwise stops at AucTooLow with a message saying why.

`get_pipeline` only builds the definition: `pipeline.upsert(role_arn=...)` creates or
updates it in SageMaker and `pipeline.start(...)` runs it.
"""

import logging
from pathlib import Path

import boto3
from sagemaker.core import image_uris
from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output
from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig
from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.model_step import ModelStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.steps import ProcessingStep, TrainingStep
from sagemaker.serve.model_builder import ModelBuilder
from sagemaker.train import ModelTrainer

HERE = Path(__file__).resolve().parent
HYPERPARAMETERS = {
    "max_depth": "5", "eta": "0.2", "gamma": "4", "min_child_weight": "6", "subsample": "0.8",
    "objective": "binary:logistic", "eval_metric": "auc", "num_round": "100",
}


def processing_input(name, s3_uri, local_path):
    return ProcessingInput(input_name=name, s3_input=ProcessingS3Input(
        s3_uri=s3_uri, local_path=local_path, s3_data_type="S3Prefix", s3_input_mode="File"))


def processing_output(name, s3_uri):
    return ProcessingOutput(output_name=name, s3_output=ProcessingS3Output(
        s3_uri=s3_uri, local_path=f"/opt/ml/processing/{name}", s3_upload_mode="EndOfJob"))


def get_pipeline(region, role, default_bucket, model_package_group_name="CreditModels",
                 pipeline_name="CreditPipeline", base_job_prefix="credit"):
    """The pipeline definition; every run writes under s3://<bucket>/<prefix>/<execution id>/."""
    session = PipelineSession(boto_session=boto3.Session(region_name=region), default_bucket=default_bucket)

    processing_instance_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    processing_instance_type = ParameterString(name="ProcessingInstanceType", default_value="ml.m5.xlarge")
    training_instance_type = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
    model_approval_status = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
    input_data_url = ParameterString(name="InputDataUrl",
                                     default_value=f"s3://{default_bucket}/{base_job_prefix}/raw/credit.csv")
    auc_threshold = ParameterFloat(name="AucThreshold", default_value=0.7)
    run_folder = Join(on="/", values=[f"s3://{default_bucket}/{base_job_prefix}", ExecutionVariables.PIPELINE_EXECUTION_ID])

    sklearn_processor = ScriptProcessor(
        role=role, image_uri=image_uris.retrieve("sklearn", region, "1.2-1"), command=["python3"],
        instance_type=processing_instance_type, instance_count=processing_instance_count,
        base_job_name=f"{base_job_prefix}-preprocess", sagemaker_session=session)
    ### BEGIN SOLUTION: preprocess = ProcessingStep(name="PreprocessCreditData", step_args=sklearn_processor.run(code=..., inputs=[the InputDataUrl parameter to /opt/ml/processing/input], outputs=[train, validation and test under run_folder], arguments=[...]))
    preprocess = ProcessingStep(name="PreprocessCreditData", step_args=sklearn_processor.run(
        code=str(HERE / "preprocess.py"),
        inputs=[processing_input("raw", input_data_url, "/opt/ml/processing/input")],
        outputs=[processing_output(part, Join(on="/", values=[run_folder, part]))
                 for part in ("train", "validation", "test")],
        arguments=["--validation-ratio", "0.1", "--test-ratio", "0.2", "--random-state", "0"]))
    ### END SOLUTION
    parts = preprocess.properties.ProcessingOutputConfig.Outputs

    xgboost_image = image_uris.retrieve("xgboost", region, "1.7-1")
    trainer = ModelTrainer(
        training_image=xgboost_image, role=role, hyperparameters=HYPERPARAMETERS,
        compute=Compute(instance_type=training_instance_type, instance_count=1),
        input_data_config=[
            InputData(channel_name="train", data_source=parts["train"].S3Output.S3Uri, content_type="text/csv"),
            InputData(channel_name="validation", data_source=parts["validation"].S3Output.S3Uri,
                      content_type="text/csv")],
        output_data_config=OutputDataConfig(s3_output_path=Join(on="/", values=[run_folder, "model"])),
        base_job_name=f"{base_job_prefix}-train", sagemaker_session=session)
    train = TrainingStep(name="TrainCreditModel", step_args=trainer.train())
    model_data = train.properties.ModelArtifacts.S3ModelArtifacts

    evaluation_report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluation_folder = Join(on="/", values=[run_folder, "evaluation"])
    evaluation_processor = ScriptProcessor(
        role=role, image_uri=xgboost_image, command=["python3"],
        instance_type=processing_instance_type, instance_count=1,
        base_job_name=f"{base_job_prefix}-evaluate", sagemaker_session=session)
    evaluate = ProcessingStep(
        name="EvaluateCreditModel", property_files=[evaluation_report],
        step_args=evaluation_processor.run(
            code=str(HERE / "evaluate.py"),
            inputs=[processing_input("model", model_data, "/opt/ml/processing/model"),
                    processing_input("test", parts["test"].S3Output.S3Uri, "/opt/ml/processing/test")],
            outputs=[processing_output("evaluation", evaluation_folder)]))

    register = ModelStep(name="RegisterCreditModel", step_args=ModelBuilder(
        s3_model_data_url=model_data, image_uri=xgboost_image, role_arn=role, sagemaker_session=session,
        log_level=logging.WARNING,  # its default, DEBUG, logs every detail of building the model
    ).register(
        model_package_group_name=model_package_group_name, approval_status=model_approval_status,
        content_types=["text/csv"], response_types=["text/csv"],
        inference_instances=["ml.m5.large"], transform_instances=["ml.m5.large"],
        model_metrics=ModelMetrics(model_statistics=MetricsSource(
            content_type="application/json", s3_uri=Join(on="/", values=[evaluation_folder, "evaluation.json"])))))

    ### BEGIN SOLUTION: test_auc = JsonGet(step_name=evaluate.name, property_file=evaluation_report, json_path=...); a FailStep named "AucTooLow" whose message gives the AUC and the threshold; a ConditionStep named "CheckAucCreditEvaluation" (test_auc >= auc_threshold) with if_steps=[register], else_steps=[the fail step]
    test_auc = JsonGet(step_name=evaluate.name, property_file=evaluation_report,
                       json_path="binary_classification_metrics.auc.value")
    auc_too_low = FailStep(name="AucTooLow", error_message=Join(
        on=" ", values=["Test AUC", test_auc, "is below the AucThreshold", auc_threshold, "so the model was not registered."]))
    check_auc = ConditionStep(
        name="CheckAucCreditEvaluation", conditions=[ConditionGreaterThanOrEqualTo(left=test_auc, right=auc_threshold)],
        if_steps=[register], else_steps=[auc_too_low])
    ### END SOLUTION

    return Pipeline(
        name=pipeline_name,
        parameters=[processing_instance_count, processing_instance_type, training_instance_type,
                    model_approval_status, input_data_url, auc_threshold],
        steps=[preprocess, train, evaluate, check_auc],
        sagemaker_session=session,
    )
