"""`python manage.py createstaff USERNAME --role ROLE --password PW [...]`"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...models import User
from ...vocabulary import Role


class Command(BaseCommand):
    help = "Create a staff account with a role (doctor, therapist, front_desk, manager)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, password, first_name, last_name, email, **options):
        if role not in Role.values:
            raise CommandError(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"The username {username!r} is already taken.")
        user = User(
            username=username,
            role=role,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_staff=role == Role.MANAGER,  # managers work in the Django admin
        )
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error
        user.set_password(password)
        with transaction.atomic():
            user.save()
        self.stdout.write(self.style.SUCCESS(f"Created {role} {username!r} (id {user.pk})."))
