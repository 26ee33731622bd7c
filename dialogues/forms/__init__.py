"""Forms of the dialogues app, one module per area."""


def add_service_errors(form, error):
    """Attach a service's ValidationError to `form`, so the page re-renders with the user's
    input and the reason: errors for a field the form has go on that field, others on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
