"""Models of history rows (license events, operator events): written once, never changed or removed."""

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Rows of a history: inserted, never updated or deleted (`immutable_error` says so)."""

    immutable_error: type[Exception]

    # Bulk paths bypass Model.save/delete, so they are closed here too. bulk_update is refused before it
    # opens its own transaction, so the refusal leaves the caller's transaction usable.
    def update(self, **kwargs):
        raise self.immutable_error()

    def bulk_update(self, objs, fields, batch_size=None):
        raise self.immutable_error()

    def delete(self):
        raise self.immutable_error()


class AppendOnlyModel(models.Model):
    """A model of history rows: save() inserts, and nothing changes or removes them."""

    immutable_error: type[Exception]

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.immutable_error()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.immutable_error()
