from django.urls import path

from kesu.archive import views, views_access, views_ownership

urlpatterns = [
    path("customers/", views.customer_list, name="customer-list"),
    path("customers/lookup/", views.lookup, name="archive-lookup"),
    path("customers/access/", views_access.access_page, name="archive-access"),
    path("customers/access/requests/", views_access.access_request, name="archive-access-request"),
    path(
        "customers/access/<id:request_id>/<slug:step>/",
        views_access.access_step,
        name="archive-access-step",
    ),
    path(
        "customers/corrections/<id:correction_id>/",
        views_access.correction_step,
        name="archive-correction-step",
    ),
    path("customers/intake-card/", views.intake_card, name="archive-intake-card"),
    path("customers/quick-create/", views.quick_create, name="archive-quick-create"),
    path("customers/products/", views.product_lookup, name="archive-products"),
    path("customers/products/pick/", views.product_pick, name="archive-product-pick"),
    path("customers/<str:number>/", views.customer_page, name="customer-page"),
    path("customers/<str:number>/contacts/", views.log_contact, name="customer-log-contact"),
    path("customers/<str:number>/corrections/", views.correct, name="customer-correct"),
    path("customers/<str:number>/classification/", views.classify, name="customer-classify"),
    path("customers/<str:number>/registered/", views.register, name="customer-registered"),
    path("customers/<str:number>/reveal/", views.reveal, name="customer-reveal"),
    path("customers/<str:number>/people/", views.add_contact, name="customer-add-contact"),
    path("customers/<str:number>/confidentiality/", views.confidentiality, name="customer-confidentiality"),
    path(
        "customers/<str:number>/correction-requests/",
        views_access.correction_draft,
        name="archive-correction-draft",
    ),
    # ownership and hand-over (§3), retention and destruction (§5)
    path(
        "archive/customers/<str:number>/ownership/",
        views_ownership.customer_ownership,
        name="archive-ownership",
    ),
    path("archive/handovers/", views_ownership.handover_new, name="archive-handover-new"),
    path("archive/handovers/<int:pk>/", views_ownership.handover_detail, name="archive-handover"),
    path(
        "archive/handovers/<int:pk>/acknowledge/",
        views_ownership.handover_acknowledge,
        name="archive-handover-acknowledge",
    ),
    path("archive/retention/", views_ownership.retention_overview, name="archive-retention"),
    path("archive/destructions/<int:pk>/", views_ownership.destruction_detail, name="archive-destruction"),
]
