"""Building blocks of the curators' admin, shared by drivers/admin.py and factors/admin.py.

- ``CuratedModelAdmin``: lists show who changed a row last and when (from the admin's
  own history, ``LogEntry``); "Export CSV" downloads the current list with its filters, search
  and ordering. Every save, delete or action starts a new data version in its own transaction
  (hackthetrack.data_version): the API answers it from the next request on.
- ``LockableModelAdmin``: adds the "lock"/"unlock" actions for rows with ``is_locked``
  (``refresh_cache`` leaves locked rows as they are).
"""

from collections.abc import Iterator
from itertools import chain

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import label_for_field, lookup_field
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import path
from django.utils.text import capfirst

from hackthetrack.csv_stream import csv_lines


def with_last_change(queryset: QuerySet) -> QuerySet:
    """Annotate each row with the time and user of its latest admin history entry."""
    history = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(queryset.model),
        object_id=Cast(OuterRef("pk"), TextField()),
    ).order_by("-action_time")
    return queryset.annotate(
        last_changed_at=Subquery(history.values("action_time")[:1]),
        last_changed_by=Subquery(history.values("user__username")[:1]),
    )


class CuratedInline(admin.TabularInline):
    """Inline rows that cost a fixed number of queries, however many rows there are:

    - ``plain_choice_fields``: foreign keys as plain choices loaded once per form set (not once
      per row), without the add/change/delete/view buttons beside every row's select;
    - ``row_select_related``: what each row's label (its ``__str__``) reads.
    """

    extra = 0
    plain_choice_fields: tuple[str, ...] = ()
    row_select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.row_select_related)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.plain_choice_fields:
            if isinstance(formfield.widget, RelatedFieldWidgetWrapper):
                formfield.widget = formfield.widget.widget
            # Evaluated once here (iter: without a COUNT first); each row's copy keeps the list.
            formfield.choices = list(iter(formfield.choices))
        return formfield


class CuratedModelAdmin(admin.ModelAdmin):
    change_list_template = "admin/curated_change_list.html"  # in drivers/templates: adds "Export CSV"
    list_per_page = 50
    csv_export_chunk_size = 2000

    def get_queryset(self, request):
        return with_last_change(super().get_queryset(request))

    @admin.display(description="last changed", ordering="last_changed_at")
    def last_changed(self, obj) -> str:
        if obj.last_changed_at is None:
            return "-"
        return f"{obj.last_changed_at:%Y-%m-%d %H:%M} by {obj.last_changed_by}"

    def get_urls(self):
        opts = self.opts
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv_view),
            name=f"{opts.app_label}_{opts.model_name}_export_csv",
        )
        return [export, *super().get_urls()]

    def export_csv_view(self, request: HttpRequest):
        """The current list (same filters, search and ordering as the changelist URL) as CSV,
        every matching row, not only the page, with the list's columns."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            return HttpResponseBadRequest(f"Invalid filter for {self.opts.verbose_name_plural}: {error}")
        columns = [name for name in changelist.list_display if name != "action_checkbox"]
        response = StreamingHttpResponse(
            self._csv_lines(changelist.queryset, columns), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.opts.model_name}.csv"'
        return response

    def _csv_lines(self, queryset: QuerySet, columns: list[str]) -> Iterator[str]:
        header = [capfirst(label_for_field(name, self.model, self)) for name in columns]
        rows = (
            [_csv_value(lookup_field(name, obj, self)[2]) for name in columns]
            for obj in queryset.iterator(chunk_size=self.csv_export_chunk_size)
        )
        return csv_lines(chain([header], rows))


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


@admin.action(permissions=["change"], description="Lock selected rows (refresh_cache leaves them as they are)")
def lock_rows(modeladmin: CuratedModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_locked(modeladmin, request, queryset, locked=True)


@admin.action(permissions=["change"], description="Unlock selected rows (refresh_cache may overwrite them)")
def unlock_rows(modeladmin: CuratedModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_locked(modeladmin, request, queryset, locked=False)


def _set_locked(modeladmin: CuratedModelAdmin, request: HttpRequest, queryset: QuerySet, *, locked: bool) -> None:
    message = "Locked: refresh_cache leaves this row as it is" if locked else "Unlocked"
    with transaction.atomic():
        rows = list(queryset.exclude(is_locked=locked))
        queryset.model.objects.filter(pk__in=[row.pk for row in rows]).update(is_locked=locked)
        LogEntry.objects.log_actions(user_id=request.user.pk, queryset=rows, action_flag=CHANGE, change_message=message)
    plural = queryset.model._meta.verbose_name_plural
    modeladmin.message_user(request, f"{'Locked' if locked else 'Unlocked'} {len(rows)} {plural}.", messages.SUCCESS)


class LockableModelAdmin(CuratedModelAdmin):
    actions = [lock_rows, unlock_rows]


class BrowseOnlyModelAdmin(CuratedModelAdmin):
    """Listed and viewable, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
