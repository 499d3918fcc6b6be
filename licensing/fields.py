"""Model fields that normalise identifiers before they are validated or stored.

Normalising in the field (not in a form) means the admin, the API, commands and plain ORM saves all
store the same canonical form: "９１１１-0000 6000 3734 1l" is kept as "91110000600037341L".
"""

from django.db import models

from . import identifiers


class _Normalising:
    normalise = staticmethod(str)

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalise(value) if value else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value:
            value = self.normalise(value)
            setattr(model_instance, self.attname, value)
        return value


class _NormalisedCharField(_Normalising, models.CharField):
    # Input may carry spaces, hyphens or full-width characters that normalising removes, so forms accept
    # more than the stored length; the validators judge the normalised value.
    form_max_length = 64

    def formfield(self, **kwargs):
        kwargs.setdefault("max_length", self.form_max_length)
        return super().formfield(**kwargs)


class USCCField(_NormalisedCharField):
    """A Unified Social Credit Code (GB 32100): 18 characters with a mod-31 check character."""

    normalise = staticmethod(identifiers.normalize_uscc)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)
        self.validators.append(identifiers.validate_uscc)


class DivisionCodeField(_NormalisedCharField):
    """A GB/T 2260 administrative division code (6 digits; 100000 is the national level)."""

    normalise = staticmethod(identifiers.normalize_division_code)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 6)
        super().__init__(*args, **kwargs)
        self.validators.append(identifiers.validate_division_code)


class NameField(_Normalising, models.CharField):
    """A name or a title, stored without invisible format characters (identifiers.strip_invisible): a
    bidirectional override or a zero-width character would make a page show the name otherwise than the
    record holds it, and make it unfindable by what readers type."""

    normalise = staticmethod(identifiers.strip_invisible)


class NamesField(_Normalising, models.TextField):
    """Names one per line (an operator's aliases), stored as NameField stores one."""

    normalise = staticmethod(identifiers.strip_invisible)
