import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.policy.models import PolicyVersion
from loket.policy.queries import active_policy
from tests.fixtures import SHIPPED_POLICY

pytestmark = pytest.mark.django_db

SOURCE = SHIPPED_POLICY.read_text(encoding="utf-8")


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("admin", "admin@catalo.id", "pw"))
    return client


def test_the_admin_lists_versions_and_shows_what_each_changed(admin_client: Client) -> None:
    page = admin_client.get("/admin/policy/policyversion/").content.decode()
    assert "policy v1" in page or ">1<" in page
    version = active_policy().version
    detail = admin_client.get(f"/admin/policy/policyversion/{version.pk}/change/")
    assert detail.status_code == 200
    assert "support@catalo.id" in detail.content.decode()


def test_an_uploaded_file_becomes_the_new_version(admin_client: Client) -> None:
    edited = SOURCE.replace("[channels.phone]", '[channels.phone]\nnumber = "+62 21 555 0100"')
    upload = SimpleUploadedFile("catalo-id.toml", edited.encode(), "application/toml")
    response = admin_client.post(
        "/admin/policy/policyversion/add/", {"upload": upload}, follow=True
    )
    assert response.status_code == 200
    assert "Applied as policy v2" in response.content.decode()
    assert active_policy().document.channels.phone_number == "+62 21 555 0100"
    assert PolicyVersion.objects.get(number=2).applied_by == "admin"


def test_an_invalid_file_is_refused_with_its_lines_and_changes_nothing(
    admin_client: Client,
) -> None:
    broken = SOURCE.replace("window_days = 14", "window_days = 0")
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "window_days" in text)
    response = admin_client.post("/admin/policy/policyversion/add/", {"source": broken})
    assert response.status_code == 200
    page = response.content.decode()
    assert "the active version is unchanged" in page
    assert f"pasted policy:{line}: refunds.window_days: must be a whole number of days" in page
    assert PolicyVersion.objects.count() == 1
