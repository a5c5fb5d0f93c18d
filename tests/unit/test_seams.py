"""The seam check against the installed moto: what the kit's patches rely on must be there."""

import warnings

import pytest

from mlops_kit.local import rooms, seams
from mlops_kit.local.seams import (
    PINNED_MOTO_VERSION, SEAMS, MotoAlreadyImplementsWarning, SeamError, add_action, install_once, missing_seams,
    verify_seams,
)


def test_installed_moto_is_the_pinned_version():
    assert seams.moto_version() == PINNED_MOTO_VERSION


def test_every_seam_of_the_kit_holds_on_the_installed_moto():
    assert missing_seams(rooms.all_seams()) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error", MotoAlreadyImplementsWarning)
        verify_seams(rooms.all_seams())


def test_every_room_lists_its_seams_beside_its_patch():
    for patch in rooms.room_patches():
        assert patch.SEAMS, f"{patch.__name__} lists no seams"
        assert callable(patch.install)


def test_a_room_patches_moto_once_however_often_it_is_installed():
    calls = []
    for _ in range(3):
        install_once("tests.example_room", [], lambda: calls.append("patched"))
    assert calls == ["patched"]


def test_a_room_whose_seam_moved_is_not_installed_and_says_which_seam():
    calls = []
    moved = [("moto.sagemaker.models.SageMakerModelBackend.create_training_job_renamed", "callable")]
    with pytest.raises(SeamError, match="create_training_job_renamed"):
        install_once("tests.moved_room", moved, lambda: calls.append("patched"))
    assert calls == []


def test_missing_seams_are_all_named_with_the_pinned_version():
    broken = [
        ("moto.sagemaker.models.SageMakerModelBackend.create_training_job_renamed", "callable"),
        ("moto.no_such_service.models", "module"),
        ("moto.core.responses.BaseResponse._get_param", "callable", ("param_name", "renamed_default")),
        ("moto.sagemaker.models.SageMakerModelBackend._no_such_dict", "backend_attribute"),
        ("moto.sagemaker.models.sagemaker_backends", "class"),
    ]
    with pytest.raises(SeamError) as raised:
        verify_seams(SEAMS + broken)
    message = str(raised.value)
    for path, *_ in broken:
        assert path in message
    assert "renamed_default" in message
    assert f"moto=={PINNED_MOTO_VERSION}" in message
    assert "moto.s3.models.s3_backends" not in message  # seams that hold are not listed


def test_backend_attributes_set_in_init_are_found_on_a_fresh_backend():
    assert missing_seams([("moto.sagemaker.models.SageMakerModelBackend.endpoints", "backend_attribute")]) == []


def test_an_added_action_that_moto_already_implements_warns_instead_of_replacing():
    class FakeResponse:
        def list_endpoints(self):
            return "moto's"

    def list_endpoints(self):
        return "the kit's"

    list_endpoints.__module__ = "mlops_kit.local.example.patch"
    with pytest.warns(MotoAlreadyImplementsWarning, match="FakeResponse.list_endpoints"):
        assert add_action(FakeResponse, "list_endpoints", list_endpoints) is False
    assert FakeResponse().list_endpoints() == "moto's"


def test_an_added_action_is_installed_and_can_be_installed_again():
    class FakeResponse:
        pass

    def update_endpoint(self):
        return "the kit's"

    update_endpoint.__module__ = "mlops_kit.local.example.patch"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert add_action(FakeResponse, "update_endpoint", update_endpoint) is True
        assert add_action(FakeResponse, "update_endpoint", update_endpoint) is True
    assert FakeResponse().update_endpoint() == "the kit's"


def test_kit_action_seams_warn_when_moto_implements_the_action():
    implemented_by_moto = ("moto.sagemaker.responses.SageMakerResponse.create_training_job", "kit_action")
    with pytest.warns(MotoAlreadyImplementsWarning, match="create_training_job"):
        verify_seams([implemented_by_moto])


def test_a_kit_wrapper_without_functools_wraps_is_reported():
    def wrapper(*args, **kwargs):
        return None

    wrapper.__module__ = "mlops_kit.local.example.patch"

    class Backend:
        create_endpoint = wrapper

    problem = seams._check_signature(Backend.create_endpoint, ("endpoint_name",))
    assert "functools.wraps" in problem
