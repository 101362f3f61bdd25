"""The server's access log never holds a usable invitation link (SEC-16)."""

import logging

from backend.cli import _HideInvitationTokens


def test_invitation_tokens_are_hidden_in_the_access_log():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/invitations/SeCrEt-ToKeN_123?x=1", "1.1", 200),
        None,
    )
    assert _HideInvitationTokens().filter(record)
    line = record.getMessage()
    assert "SeCrEt" not in line
    assert "/invitations/[hidden]?x=1" in line
