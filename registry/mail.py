"""The local set-up's mailer: one line per email (recipients and subject) on the console, not the whole
MIME message, so that `make run` shows what was sent without pages of base64 (settings select it when no
EMAIL_HOST is given and debug is on; EMAIL_CONSOLE=full prints whole messages again)."""

from django.core.mail.backends.console import EmailBackend


class SummaryEmailBackend(EmailBackend):
    def write_message(self, message):
        subject = " ".join(str(message.subject).split())
        self.stream.write(f"email to {', '.join(message.recipients())}: {subject}\n")
