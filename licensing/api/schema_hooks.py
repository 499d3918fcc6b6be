"""Post-processing of the OpenAPI schema (drf-spectacular's POSTPROCESSING_HOOKS)."""


def public_reads_need_no_credentials(result, generator, request, public):
    """An operation anyone may call without credentials (its security lists the empty requirement, {})
    says so with no requirement at all: the API docs then show it without a lock. Writes keep theirs."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and {} in operation.get("security", []):
                operation["security"] = []
    return result
