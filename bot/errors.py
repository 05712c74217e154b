"""Typed errors that services raise and the Discord layer turns into kind, private messages.

A ``KindredError`` carries a message written for the person who triggered it. Anything else
that escapes a command is a bug: it is logged with an incident id, and the user sees that id.

A service need not know who reads the message: it raises the English text, marked ``N_()``
for ``make messages``, with any values as ``{name}`` placeholders and keyword arguments
(``NotFoundError(N_("No goal called {name}."), name=name)``). ``user_message`` is the English
text, for logs and tests; the Discord layer shows ``message_in(lang)``, the reader's language
(English when the catalogue has no translation). A value may itself be a ``KindredError`` (a
marked phrase with its own values, such as why a schedule couldn't be read): it is shown in the
same language as the sentence around it.
"""

from __future__ import annotations

from bot.i18n import render


class KindredError(Exception):
    """Base for errors whose message is safe and useful to show to the user."""

    def __init__(self, user_message: str, /, **params: object) -> None:
        text = user_message.format(**params) if params else user_message
        super().__init__(text)
        self.user_message = text
        self.template = user_message
        self.params = params

    def message_in(self, lang: str | None) -> str:
        """The message in ``lang``; the English text when it has no (usable) translation."""
        return render(lang, self.template, **self.params)


class NotFoundError(KindredError):
    pass


class InvalidInputError(KindredError):
    pass


class PermissionDeniedError(KindredError):
    pass


class ConflictError(KindredError):
    """The state changed under the user (already claimed, already closed, ...)."""


class LimitReachedError(KindredError):
    pass


class NotConfiguredError(KindredError):
    """A moderator has not set up the feature yet; the message says which command does it."""
