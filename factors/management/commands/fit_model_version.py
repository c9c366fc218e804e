from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from factors.services import model_version_activate, model_version_fit


class Command(BaseCommand):
    help = (
        "Fit the finish regression to the active version's season (least squares, coefficients at or "
        "below zero) and store it as a new, inactive model version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="name of the new model version")
        parser.add_argument("--description", default="")
        parser.add_argument("--activate", action="store_true", help="make the new version the active one")

    def handle(self, *args, name: str, description: str, activate: bool, **options):
        try:
            version = model_version_fit(name=name, description=description)
            if activate:
                model_version_activate(version=version)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        coefficients = ", ".join(
            f"{c.factor_id} {c.finish_coefficient:+.3f}" for c in version.coefficients.order_by("factor__sort_order")
        )
        self.stdout.write(
            f"{version.name}: finish = {version.finish_intercept:.3f} + ({coefficients})·z; "
            f"R² {version.r_squared:.3f}, MAE {version.mae:.2f} positions"
        )
        self.stdout.write(self.style.SUCCESS(f"{version.name} is {'active' if activate else 'stored, inactive'}."))
