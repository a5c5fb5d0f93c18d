"""Turn a ``model.tar.gz`` as the built-in XGBoost algorithm writes it into a Booster.

The algorithm container saves the Booster as a file named ``xgboost-model`` at the top of
the archive; the serving container loads it with ``Booster.load_model``. Errors carry
the messages SageMaker puts in an endpoint's FailureReason, plus what to check.
"""

import io
import tarfile

import xgboost

MODEL_FILE_NAME = "xgboost-model"


class ModelArtifactError(Exception):
    """The model artifact cannot be served; the message is the endpoint's FailureReason."""


def load_booster(archive: bytes, model_data_url: str) -> xgboost.Booster:
    """Load the ``xgboost-model`` Booster from a model.tar.gz's bytes (read from ``model_data_url``)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            members = {member.name.removeprefix("./"): member for member in tar.getmembers() if member.isfile()}
            if MODEL_FILE_NAME not in members:
                raise ModelArtifactError(
                    f'The model archive "{model_data_url}" holds no file named "{MODEL_FILE_NAME}" '
                    f"(it holds: {', '.join(sorted(members)) or 'nothing'}). The built-in XGBoost "
                    f"container serves the Booster saved as {MODEL_FILE_NAME} at the top of model.tar.gz."
                )
            model_bytes = tar.extractfile(members[MODEL_FILE_NAME]).read()
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ModelArtifactError(
            f'Failed to extract model data archive from URL "{model_data_url}". Please ensure that '
            f"the object located at the URL is a valid tar.gz archive. ({error})"
        ) from error
    booster = xgboost.Booster()
    try:
        booster.load_model(bytearray(model_bytes))
    except xgboost.core.XGBoostError as error:
        raise ModelArtifactError(
            f'Unable to load model: "{MODEL_FILE_NAME}" in "{model_data_url}" is not an XGBoost model '
            f"saved with Booster.save_model ({str(error).splitlines()[0]})"
        ) from error
    booster.set_param("nthread", 1)
    return booster
