from django.core.management.base import BaseCommand, CommandError

from smevoucher.accounts.models import User
from smevoucher.core.errors import ValidationFailed
from smevoucher.directory import services
from smevoucher.directory.models import Import


class Command(BaseCommand):
    help = (
        "Import the directory of eligible platforms from an XLSX sheet (the template's columns). Every row is "
        "checked first; nothing is saved when any row has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .xlsx file")
        parser.add_argument("--as", dest="username", help="province-unit user recorded in the audit log")
        parser.add_argument("--check", action="store_true", help="check only, import nothing")

    def handle(self, *args, file, username=None, check=False, **options):
        actor = self._actor(username)
        try:
            with open(file, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            job = services.directory_import_upload(actor=actor, filename=file.rsplit("/", 1)[-1], content=content)
        except ValidationFailed as exc:
            raise CommandError(" ".join(str(m) for ms in exc.fields.values() for m in ms) or exc.message) from exc
        job = services.directory_import_check(import_id=job.pk)
        if job.status != Import.Status.READY:
            for error in job.errors:
                self.stderr.write(f"row {error['row']}: {error.get('name', '')} {error['message']}".strip())
            raise CommandError(f"{len(job.errors)} error(s); nothing imported")
        if check:
            self.stdout.write(f"{len(job.rows)} rows are fine; nothing imported (--check)")
            return
        job = services.directory_import_apply(actor=actor, import_id=job.pk)
        self.stdout.write(self.style.SUCCESS(f"imported {job.filename}: {job.created} new, {job.updated} updated"))

    def _actor(self, username):
        users = User.objects.filter(organisation__kind="province_unit", is_active=True)
        if username:
            users = users.filter(username=username)
        actor = users.order_by("pk").first()
        if actor is None:
            raise CommandError("no province-unit user to record the import as (create one, or pass --as USERNAME)")
        return actor
