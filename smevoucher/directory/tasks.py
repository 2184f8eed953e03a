from celery import shared_task


@shared_task(ignore_result=True)
def check_directory_import(import_id: int) -> None:
    """Check an uploaded directory sheet row by row (a large sheet runs in the background)."""
    from .services import directory_import_check

    directory_import_check(import_id=import_id)
