"""A run of the clustering and the themes it found. Names and fix notes carry over between runs."""

from __future__ import annotations

from django.db import models


class ThemeRun(models.Model):
    created_at = models.DateTimeField()
    seed = models.PositiveIntegerField(default=0)
    texts = models.PositiveIntegerField(help_text="How many texts were grouped")
    vocabulary = models.JSONField(default=dict, help_text="term -> column, to match new texts without refitting")
    idf = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"themes of {self.created_at:%Y-%m-%d %H:%M} ({self.texts} texts)"


class Theme(models.Model):
    run = models.ForeignKey(ThemeRun, on_delete=models.CASCADE, related_name="themes")
    position = models.PositiveSmallIntegerField(help_text="Largest first")
    terms = models.JSONField(default=list, help_text="The words that set it apart, strongest first")
    centroid = models.JSONField(default=dict)
    size = models.PositiveIntegerField()
    customers = models.PositiveIntegerField(help_text="Distinct customers among its texts")
    examples = models.JSONField(default=list, help_text="Quotes closest to its centre (already redacted)")
    weekly = models.JSONField(default=list, help_text="Texts per week, oldest first, the last 8 weeks")
    name = models.CharField(max_length=120, blank=True, help_text="Given by a lead")
    fix_note = models.TextField(blank=True, help_text="What we are doing about it")
    named_by = models.ForeignKey("staff.StaffUser", null=True, blank=True, on_delete=models.PROTECT)
    named_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="theme_run_position")]

    def __str__(self) -> str:
        return self.name or ", ".join(self.terms[:3])

    @property
    def title(self) -> str:
        return self.name or "“" + ", ".join(self.terms[:3]) + "”"


class ThemeMember(models.Model):
    """Which customer's text is in a theme (so a case can say how many *other* customers)."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="theme_memberships")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["theme", "customer"], name="thememember_theme_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.theme_id}"
