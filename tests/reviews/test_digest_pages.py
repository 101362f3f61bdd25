"""Choosing the email digest: off, daily or weekly, on one's own account."""

from __future__ import annotations

import pytest

from backend.config import Settings
from backend.reviews.tables import DigestSetting
from tests.html_checks import assert_well_formed

URL = "/account/notifications"


async def saved(user_id: int) -> list[dict]:
    return await DigestSetting.select(DigestSetting.frequency, DigestSetting.version).where(
        DigestSetting.user == user_id
    )


async def test_the_account_page_links_to_the_choice(world, client):
    page = await client.get("/account")
    assert f'href="{URL}"' in page.text


async def test_no_choice_yet_shows_daily(world, client):
    page = await client.get(URL)
    assert page.status_code == 200
    assert 'value="daily" id="field-frequency-daily" checked' in page.text
    assert "No digest has been sent to you yet" in page.text
    assert_well_formed(page.text, URL)


async def test_saving_a_choice_shows_it_and_stores_one_row(world, client):
    response = await client.post_form(URL, {"frequency": "weekly"})
    assert response.status_code == 303
    assert response.headers["location"] == f"{URL}?done=saved"
    page = await client.get(response.headers["location"])
    assert "Your choice is saved." in page.text
    assert 'value="weekly" id="field-frequency-weekly" checked' in page.text
    assert await saved(world.lead) == [{"frequency": "weekly", "version": 2}]

    await client.post_form(URL, {"frequency": "off"})
    assert await saved(world.lead) == [{"frequency": "off", "version": 3}]
    page = await client.get(URL)
    assert 'value="off" id="field-frequency" checked' in page.text


@pytest.mark.parametrize("bad", ["", "hourly", "<b>x</b>"])
async def test_a_bad_choice_is_a_422_with_a_message(world, client, bad):
    response = await client.post_form(URL, {"frequency": bad})
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "Choose how often to email you from the list" in response.text
    assert 'href="#field-frequency"' in response.text
    assert "<b>x</b>" not in response.text
    assert_well_formed(response.text, URL)
    assert await saved(world.lead) == []


async def test_a_repeated_field_is_refused(world, client):
    response = await client.post_form(URL, [("frequency", "daily"), ("frequency", "weekly")])
    assert response.status_code == 422


async def test_each_person_sets_only_their_own(world, client, client_as):
    liaison = await client_as(world.users["liaison"])
    viewer = await client_as(world.users["viewer"])
    assert (await liaison.post_form(URL, {"frequency": "off"})).status_code == 303
    assert (await viewer.post_form(URL, {"frequency": "weekly"})).status_code == 303
    assert await saved(world.users["liaison"]) == [{"frequency": "off", "version": 2}]
    assert await saved(world.users["viewer"]) == [{"frequency": "weekly", "version": 2}]
    assert await saved(world.lead) == []
    page = await client.get(URL)
    assert 'value="daily" id="field-frequency-daily" checked' in page.text


async def test_signed_out_people_are_sent_to_sign_in(app, client):
    response = await client.get(URL)
    assert response.status_code == 303
    response = await client.post_form(URL, {"frequency": "off"})
    assert response.status_code in (303, 403)
    assert await DigestSetting.count() == 0


def test_smtp_settings_come_from_the_environment():
    settings = Settings.from_env(
        {
            "SMTP_HOST": "mail.example.org",
            "SMTP_PORT": "2525",
            "SMTP_USER": "tandem",
            "SMTP_PASSWORD": "secret-password",
            "SMTP_STARTTLS": "false",
            "MAIL_FROM": "Tandem <tandem@example.org>",
            "TANDEM_BASE_URL": "https://tandem.example.org/",
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "mail.example.org",
        2525,
        False,
    )
    assert settings.base_url == "https://tandem.example.org"
    assert "secret-password" not in repr(settings)
    default = Settings.from_env({})
    assert default.smtp_host == "" and default.smtp_starttls is True
    with pytest.raises(RuntimeError, match="not yes or no"):
        Settings.from_env({"SMTP_STARTTLS": "maybe"})
