"""The catalog (leads and admins): device models and problems with their prices. Search, add, edit,
retire (never delete: cases store the slug), and CSV export and import (a preview, then confirm)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from touchpoint.console.views.shop_csv import MAX_BYTES, catalog_csv, catalog_plan, columns, csv_text
from touchpoint.console.views.shop_forms import FORMS
from touchpoint.shop.models import Area
from touchpoint.shop.selectors import setting_changes
from touchpoint.shop.services import CATALOG, CatalogRefused, catalog_import, catalog_item_save
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser

LIST_LIMIT = 200
KIND_WORDS = {"models": ("device model", "device models"), "problems": ("problem", "problems")}


def _kind(kind: str) -> str:
    if kind not in CATALOG:
        raise Http404("the catalog has models and problems")
    return kind


def _user(request: HttpRequest) -> StaffUser:
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    return user


@require_GET
@staff_required("lead")
def catalog(request: HttpRequest) -> HttpResponse:
    query = str(request.GET.get("q", ""))[:100].strip()
    words = query.split()[:6]
    found: dict[str, Any] = {}
    for kind, (model, _, _) in CATALOG.items():
        label, order = ("name", ("kind", "name")) if kind == "models" else ("label", ("position", "label"))
        match = Q()
        for word in words:
            match &= Q(**{f"{label}__icontains": word}) | Q(slug__icontains=word)
        found[kind] = list(model.objects.filter(match).order_by("-active", *order)[:LIST_LIMIT])
    context = {
        "query": query,
        "models": found["models"],
        "problems": found["problems"],
        "limit": LIST_LIMIT,
        "changes": setting_changes(areas=(Area.DEVICE_MODEL, Area.PROBLEM), limit=30),
    }
    return render(request, "console/shop/catalog.html", context)


def _item_page(
    request: HttpRequest, kind: str, form: Any, *, item: Any = None, status: int = 200, problem: str = ""
) -> HttpResponse:
    one, _ = KIND_WORDS[kind]
    context = {"kind": kind, "one": one, "form": form, "item": item, "problem": problem}
    return render(request, "console/shop/item.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def item_new(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    form_class = FORMS[kind]
    if request.method == "GET":
        return _item_page(request, kind, form_class(initial={"active": True}))
    form = form_class(request.POST)
    if form.is_valid() and CATALOG[kind][0].objects.filter(slug=form.cleaned_data["slug"]).exists():
        form.add_error("slug", f"There is already one with the slug {form.cleaned_data['slug']}: edit it instead.")
    if not form.is_valid():
        return _item_page(request, kind, form, status=400, problem="Nothing was added: see below.")
    try:
        item = catalog_item_save(by=_user(request), kind=kind, slug=None, values=form.cleaned_data)
    except CatalogRefused as refused:
        form.add_error("slug", str(refused))
        return _item_page(request, kind, form, status=409, problem="Nothing was added: see below.")
    messages.success(request, f"Added {item}.")
    return HttpResponseRedirect(reverse("console:shop_catalog"))


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def item_edit(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    kind = _kind(kind)
    item = CATALOG[kind][0].objects.filter(slug=slug).first()
    if item is None:
        raise Http404("no such item in the catalog")
    form_class = FORMS[kind]
    fields = [f for f in columns(kind) if f != "slug"]
    if request.method == "GET":
        return _item_page(
            request, kind, form_class(initial={f: getattr(item, f) for f in fields}, editing=True), item=item
        )
    form = form_class(request.POST, editing=True)
    if not form.is_valid():
        return _item_page(request, kind, form, item=item, status=400, problem="Nothing was saved: see below.")
    catalog_item_save(by=_user(request), kind=kind, slug=slug, values=form.cleaned_data)
    messages.success(request, f"Saved {item.slug}.")
    return HttpResponseRedirect(reverse("console:shop_catalog"))


@require_POST
@staff_required("lead")
def item_retire(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """Retire (no longer offered on the order form) or offer again; cases keep their slug either way."""
    kind = _kind(kind)
    item = CATALOG[kind][0].objects.filter(slug=slug).first()
    if item is None:
        raise Http404("no such item in the catalog")
    offer = request.POST.get("offer") == "yes"
    catalog_item_save(by=_user(request), kind=kind, slug=slug, values={"active": offer})
    messages.success(request, f"{item} is offered again." if offer else f"{item} is retired: no longer offered.")
    return HttpResponseRedirect(reverse("console:shop_catalog"))


@require_GET
@staff_required("lead")
def export(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    response = HttpResponse(catalog_csv(kind), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="catalog-{kind}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def import_page(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST with a file: the preview (nothing stored). POST with ``confirm``:
    the same text applied, if the catalog still gives the same plan."""
    kind = str(request.POST.get("kind") or request.GET.get("kind") or "models")
    context: dict[str, Any] = {
        "kind": kind if kind in CATALOG else "models",
        "kinds": KIND_WORDS,
        "columns": {k: ", ".join(columns(k)) for k in CATALOG},
    }
    if request.method == "GET":
        return render(request, "console/shop/import.html", context)
    if kind not in CATALOG:
        context["problem"] = "Choose whether the file lists device models or problems."
        return render(request, "console/shop/import.html", context, status=400)
    if "confirm" in request.POST:
        text = str(request.POST.get("text", ""))
    else:
        upload = request.FILES.get("file")
        if upload is None:
            context["problem"] = "Choose a CSV file to import."
            return render(request, "console/shop/import.html", context, status=400)
        text, unreadable = csv_text(upload.read(MAX_BYTES + 1), size=upload.size or 0)
        if unreadable:
            context["problem"] = unreadable
            return render(request, "console/shop/import.html", context, status=400)
    plan = catalog_plan(kind, text)
    context.update(plan=plan, text=text)
    if "confirm" not in request.POST or plan.errors:
        return render(request, "console/shop/import.html", context, status=400 if plan.errors else 200)
    if request.POST.get("digest") != plan.digest:
        context["problem"] = (
            "The catalog changed since this preview: here is what importing would do now. Check it and confirm again."
        )
        return render(request, "console/shop/import.html", context, status=409)
    try:
        added, changed = catalog_import(by=_user(request), kind=kind, rows=plan.rows)
    except CatalogRefused as refused:
        context["problem"] = str(refused)
        return render(request, "console/shop/import.html", context, status=409)
    _, many = KIND_WORDS[kind]
    messages.success(request, f"Imported {many}: {added} added, {changed} changed.")
    return HttpResponseRedirect(reverse("console:shop_catalog"))
