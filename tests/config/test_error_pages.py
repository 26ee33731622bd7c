import pytest
from django.urls import path

from config.urls import urlpatterns as parley_urls


def explode(request):
    raise RuntimeError("secret participant Zafira Qadim in a stack trace")


urlpatterns = [*parley_urls, path("explode/", explode)]


@pytest.mark.urls("tests.config.test_error_pages")
def test_a_server_error_shows_our_page_and_leaks_nothing(client, db):
    client.raise_request_exception = False
    response = client.get("/explode/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "Zafira" not in html
    assert "Traceback" not in html


def test_not_found_uses_our_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
