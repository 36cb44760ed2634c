from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import (
    shop,
    shop_catalog,
    shop_hours,
    shop_persona,
    shop_service_levels,
    shop_staff,
    staff_invite,
)

urlpatterns: list[URLPattern] = [
    path("console/shop/", shop.settings_page, name="shop"),
    path("console/shop/catalog/", shop_catalog.catalog, name="shop_catalog"),
    path("console/shop/catalog/import/", shop_catalog.import_page, name="shop_catalog_import"),
    path("console/shop/catalog/<str:kind>.csv", shop_catalog.export, name="shop_catalog_export"),
    path("console/shop/catalog/<str:kind>/new/", shop_catalog.item_new, name="shop_item_new"),
    path("console/shop/catalog/<str:kind>/<slug:slug>/", shop_catalog.item_edit, name="shop_item"),
    path("console/shop/catalog/<str:kind>/<slug:slug>/retire/", shop_catalog.item_retire, name="shop_item_retire"),
    path("console/shop/hours/", shop_hours.hours_page, name="shop_hours"),
    path("console/shop/hours/calendar/", shop_hours.calendar_import, name="shop_hours_calendar"),
    path("console/shop/hours/team/<slug:slug>/", shop_hours.hours_page, name="shop_hours_team"),
    path("console/shop/hours/team/<slug:slug>/calendar/", shop_hours.calendar_import, name="shop_hours_team_calendar"),
    path("console/shop/logo/<str:name>", shop.logo, name="shop_logo"),  # public: emails show it
    path("console/shop/persona/", shop_persona.persona_page, name="shop_persona"),
    path("console/shop/persona/avatar/<str:name>", shop_persona.avatar, name="persona_avatar"),  # public: in emails
    path("console/shop/persona/<slug:key>/", shop_persona.persona_page, name="shop_persona_key"),
    path("console/shop/persona/<slug:key>/preview", shop_persona.preview, name="persona_preview"),
    path("console/shop/persona/<slug:key>/email", shop_persona.email, name="persona_email"),
    path("console/shop/service-levels/", shop_service_levels.service_levels, name="shop_service_levels"),
    path("console/shop/service-levels/<slug:code>/", shop_service_levels.service_level_edit, name="shop_service_level"),
    path(
        "console/shop/service-levels/<slug:code>/retire/",
        shop_service_levels.service_level_retire,
        name="shop_service_level_retire",
    ),
    path("console/shop/staff/", shop_staff.staff_page, name="shop_staff"),
    path("console/shop/staff/invite/", shop_staff.invite, name="shop_staff_invite"),
    path("console/shop/staff/<int:pk>/", shop_staff.member_page, name="shop_staff_member"),
    path("console/shop/staff/<int:pk>/invite-again/", shop_staff.invite_again, name="shop_staff_reinvite"),
    path("console/shop/teams/new/", shop_staff.team_new, name="shop_team_new"),
    path("console/shop/teams/<slug:slug>/", shop_staff.team_page, name="shop_team"),
    path("console/invite/<str:token>/", staff_invite.accept, name="staff_invite"),  # outbox.staff_invites.INVITE_PATH
]
