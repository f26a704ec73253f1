"""The OST catalogue: groups and their members, shows, and the songs idols sang for them."""

import functools

from django.core.signals import setting_changed
from django.db import models
from django.db.models import Count, Exists, F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils import timezone


@functools.lru_cache(maxsize=8192)
def _page_url(viewname, slug, script_prefix):
    return reverse(viewname, kwargs={"slug": slug} if slug is not None else None)


def detail_page_url(viewname, slug):
    """The URL of a catalogue page, reversed once per process: a group page links to about a hundred of
    them, and reverse() takes some 20 µs each."""
    return _page_url(viewname, slug, get_script_prefix())


def fixed_url(viewname):
    """The URL of a page without arguments (the lists, the feeds), reversed once per process: every page
    links to about fifteen of them."""
    return _page_url(viewname, None, get_script_prefix())


@receiver(setting_changed)
def _forget_page_urls(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _page_url.cache_clear()


def count_of(queryset):
    """A correlated COUNT(*) of `queryset` (filtered on an OuterRef) to annotate rows with.

    Unlike Count() it needs no GROUP BY, so the outer query keeps its default ordering and joins.
    """
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)


class Agency(models.Model):
    """An entertainment company or label that manages groups."""

    name = models.CharField(max_length=100, unique=True)
    native_name = models.CharField(max_length=100, blank=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name


class Network(models.Model):
    """A TV channel or streaming platform that carries shows."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Language(models.Model):
    """A language an OST is sung in. `code` is the BCP 47 tag used in markup."""

    name = models.CharField(max_length=50, unique=True)
    code = models.SlugField(max_length=10, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class GroupQuerySet(models.QuerySet):
    def with_counts(self):
        """`ost_count` and `member_count` (current members) for each group."""
        return self.annotate(
            ost_count=count_of(OST.objects.filter(artist=OuterRef("pk"))),
            member_count=count_of(Membership.objects.filter(group=OuterRef("pk"), status=Membership.Status.CURRENT)),
        )


class Group(models.Model):
    class Kind(models.TextChoices):
        GIRL = "girl", "Girl group"
        BOY = "boy", "Boy group"

    name = models.CharField(max_length=100)
    native_name = models.CharField(max_length=100, blank=True)
    alternative_names = models.CharField(
        max_length=200, blank=True, help_text="Other spellings fans search for, comma separated."
    )
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=10, choices=Kind)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="groups")
    agency_note = models.CharField(max_length=200, blank=True)
    debut_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="groups/", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        # Case-insensitive, so "aespa" sorts among the As on every database.
        ordering = [Lower("name")]
        # The group list walks this index and stops after a page, instead of sorting every group.
        indexes = [models.Index(Lower("name"), name="group_name_ci")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_page_url("catalog:group-detail", self.slug)


class Member(models.Model):
    """An idol. Their groups are reached through memberships."""

    stage_name = models.CharField(max_length=100)
    native_name = models.CharField(max_length=100, blank=True)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="members/", blank=True)
    groups = models.ManyToManyField(Group, through="Membership", related_name="members")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage_name"]

    def __str__(self):
        return self.stage_name

    def get_absolute_url(self):
        return detail_page_url("catalog:member-detail", self.slug)


class MembershipQuerySet(models.QuerySet):
    def at_release(self, released_on, release_year):
        """Memberships of members who were in the group when a song came out.

        Takes values or OuterRefs. Current members count; former ones only if they are known to have
        left after the release, so an unknown leaving or release date never claims a singer.
        """
        in_group = Q(status=Membership.Status.CURRENT)
        if released_on is not None:
            in_group |= Q(left_on__gt=released_on)
        if release_year is not None:
            in_group |= Q(left_on__year__gt=release_year)
        return self.filter(in_group)

    def at_release_of(self, ost):
        return self.at_release(ost.released_on, ost.release_year)


class Membership(models.Model):
    class Status(models.TextChoices):
        CURRENT = "current", "Current member"
        FORMER = "former", "Former member"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    position = models.CharField(max_length=100, blank=True, help_text="e.g. leader, main vocalist, rapper")
    status = models.CharField(max_length=10, choices=Status, default=Status.CURRENT)
    left_on = models.DateField(null=True, blank=True, help_text="Leave empty if the date is not known.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the group's usual line-up order.")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "status", "order", "member__stage_name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="unique_membership"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(status="former"),
                name="left_on_only_for_former_members",
            ),
        ]

    def __str__(self):
        return f"{self.member} in {self.group}"

    @property
    def is_former(self):
        return self.status == self.Status.FORMER

    def was_in_group_for(self, ost):
        """The rule of `MembershipQuerySet.at_release`, for rows already loaded."""
        if not self.is_former:
            return True
        if self.left_on is None:
            return False
        return bool(
            ost.released_on and self.left_on > ost.released_on
            or ost.release_year and self.left_on.year > ost.release_year
        )


class ShowQuerySet(models.QuerySet):
    def with_ost_counts(self):
        return self.annotate(ost_count=count_of(OST.objects.filter(show=OuterRef("pk"))))


class Show(models.Model):
    class Kind(models.TextChoices):
        KDRAMA = "k-drama", "K-drama"
        ANIME = "anime", "Anime"
        WEB_DRAMA = "web-drama", "Web drama"
        ANIMATED_SERIES = "animated-series", "Animated series"

    class SourceKind(models.TextChoices):
        ORIGINAL = "original", "Original story"
        WEBTOON = "webtoon", "Webtoon"
        MANGA = "manga", "Manga"
        NOVEL = "novel", "Novel"
        WEB_NOVEL = "web-novel", "Web novel"
        FILM = "film", "Film"

    title = models.CharField(max_length=200)
    original_title = models.CharField(max_length=200, blank=True)
    alternative_titles = models.CharField(
        max_length=300, blank=True, help_text="Other spellings fans search for, comma separated."
    )
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=20, choices=Kind)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="shows")
    also_on = models.ManyToManyField(Network, blank=True, related_name="shows_also_on")
    country = models.CharField(max_length=100, blank=True)
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty if unknown or still airing.")
    premiered_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    episodes = models.PositiveSmallIntegerField(null=True, blank=True)
    source_kind = models.CharField(max_length=20, choices=SourceKind, blank=True)
    source_title = models.CharField(max_length=200, blank=True)
    source_note = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="shows/", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ShowQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            # The show list walks this index and stops after a page, instead of sorting every show.
            models.Index(fields=["title"], name="show_title"),
            # The show list's and OST list's "kind" filter, and the show list's year filter.
            models.Index(fields=["kind"]),
            models.Index(fields=["first_year", "last_year"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=F("first_year")),
                name="show_years_in_order",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return detail_page_url("catalog:show-detail", self.slug)

    @property
    def years(self):
        if self.last_year and self.last_year != self.first_year:
            return f"{self.first_year}–{self.last_year}"
        return str(self.first_year)


def card_prefetches():
    """The related rows an OST card lists: languages, and singers in lineup order."""
    in_lineup_order = Member.objects.order_by("memberships__order", "stage_name")
    return ["languages", models.Prefetch("singers", in_lineup_order)]


class OSTQuerySet(models.QuerySet):
    def card_ids(self):
        """Just the ids: enough to find the OSTs' cards in the cache. `ost_cards` loads the rest of a card's
        rows only for the cards it has to make."""
        return self.only("pk")

    def for_cards(self):
        """The row data of an OST card; the rest (`card_prefetches()`) is fetched only for cards not in the cache."""
        return self.select_related("show", "show__network", "artist")

    def with_list_data(self):
        """Everything an OST card shows, in a fixed number of queries."""
        return self.for_cards().prefetch_related(*card_prefetches())

    def in_soundtrack_order(self):
        """Openings, endings, main themes, numbered parts, then special tracks."""
        rank = models.Case(
            *(models.When(placement=value, then=i) for i, value in enumerate(OST.Placement.values)),
            output_field=models.IntegerField(),
        )
        return self.order_by(rank, "placement_number", "released_on", "title", "pk")

    def facet_counts(self):
        """How many OSTs each filter option holds, for the labels of the filter form ("Anime (6)")."""

        def count_by(*fields):
            rows = self.order_by().values_list(*fields).annotate(n=Count("pk", distinct=True))
            return {row[:-1] if len(fields) > 1 else row[0]: row[-1] for row in rows}

        networks = count_by("show__network")
        for network, n in count_by("show__also_on").items():
            if network is not None:
                networks[network] = networks.get(network, 0) + n
        return {
            "type": count_by("show__kind"),
            "role": count_by("placement"),
            "year": count_by("release_year"),
            "language": count_by("languages"),
            "group": count_by("artist"),
            "agency": count_by("artist__agency"),
            "show": count_by("show"),
            "network": networks,
        }

    def sung_by(self, member):
        """Solos, subsets and whole-group songs the member was part of."""
        in_lineup = Membership.objects.filter(group=OuterRef("artist"), member=member).at_release(
            OuterRef("released_on"), OuterRef("release_year")
        )
        # The ids first, in one subquery (the songs they sang UNION their groups' whole-group songs from their
        # time), then the OSTs by id: any condition over the OST table made SQLite or PostgreSQL read all of it
        # (0.4 s on SQLite, 3.6 s on PostgreSQL at 100,000 OSTs).
        sang_it = OST.singers.through.objects.filter(member=member).values_list("ost", flat=True)
        groups = Membership.objects.filter(member=member).values("group")
        whole_group = OST.objects.filter(sung_by_whole_group=True, artist__in=groups).filter(Exists(in_lineup))
        return self.filter(pk__in=sang_it.order_by().union(whole_group.order_by().values_list("pk", flat=True)))


class OST(models.Model):
    class Placement(models.TextChoices):
        # In the order a show's soundtrack lists them.
        OPENING = "opening", "Opening theme"
        ENDING = "ending", "Ending theme"
        MAIN_THEME = "main-theme", "Main theme"
        OST_PART = "ost-part", "OST part"
        SPECIAL = "special", "Special track"

    title = models.CharField(max_length=200)
    native_title = models.CharField(max_length=200, blank=True)
    alternative_titles = models.CharField(
        max_length=300, blank=True, help_text="Other spellings and release titles, comma separated."
    )
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="osts")
    artist = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="osts")
    sung_by_whole_group = models.BooleanField(
        default=False, help_text="Tick when every member at the time sang it; otherwise list the singers."
    )
    singers = models.ManyToManyField(Member, blank=True, related_name="osts_sung")
    languages = models.ManyToManyField(Language, blank=True, related_name="osts")
    placement = models.CharField(max_length=20, choices=Placement)
    placement_number = models.PositiveSmallIntegerField(null=True, blank=True)
    release_year = models.PositiveSmallIntegerField(null=True, blank=True)
    released_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OSTQuerySet.as_manager()

    class Meta:
        verbose_name = "OST"
        verbose_name_plural = "OSTs"
        # Spelled out so SQLite and PostgreSQL agree on where unknown dates go.
        ordering = [F("release_year").desc(nulls_last=True), F("released_on").desc(nulls_last=True), "title", "pk"]
        indexes = [
            # Serves the default order on SQLite (where DESC already puts unknown years last).
            models.Index(fields=["-release_year", "-released_on", "title", "id"], name="ost_newest_first"),
            models.Index(Lower("title"), "id", name="ost_title_ci"),
            models.Index(fields=["release_year", "released_on"]),
            models.Index(fields=["placement"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return detail_page_url("catalog:ost-detail", self.slug)

    @classmethod
    def from_db(cls, db, field_names, values):
        ost = super().from_db(db, field_names, values)
        if "artist_id" in field_names and "show_id" in field_names:
            # Where it was as loaded, so a save that moves it knows the group and show pages it leaves.
            ost.loaded_places = [(ost.artist_id, ost.show_id)]
        return ost

    def save(self, *args, **kwargs):
        if self.released_on:
            self.release_year = self.released_on.year
        super().save(*args, **kwargs)

    @property
    def singer_names(self):
        """"Winter & Ningning" for a subset or solo; empty when the whole group sang."""
        if self.sung_by_whole_group:
            return ""
        names = [member.stage_name for member in self.singers.all()]
        return " & ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)

    @property
    def placement_label(self):
        labels = {
            self.Placement.OPENING: "Opening",
            self.Placement.ENDING: "Ending",
            self.Placement.MAIN_THEME: "Main theme",
            self.Placement.OST_PART: "OST Part",
            self.Placement.SPECIAL: "Special track",
        }
        label = labels[self.placement]
        if self.placement_number:
            return f"{label} {self.placement_number}"
        return "OST" if self.placement == self.Placement.OST_PART else label


class Credit(models.Model):
    """Work on a song beyond singing it."""

    class Role(models.TextChoices):
        LYRICS = "lyrics", "Lyrics"
        COMPOSITION = "composition", "Composition"
        ARRANGEMENT = "arrangement", "Arrangement"

    ost = models.ForeignKey(OST, on_delete=models.CASCADE, related_name="credits")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=20, choices=Role)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["ost", "role", "member__stage_name"]
        constraints = [models.UniqueConstraint(fields=["ost", "member", "role"], name="unique_credit")]

    def __str__(self):
        return f"{self.member} – {self.get_role_display()} – {self.ost}"


class Cameo(models.Model):
    """An idol appearing on screen in a show."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="cameos")
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="cameos")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["show__title", "member__stage_name"]
        constraints = [models.UniqueConstraint(fields=["member", "show"], name="unique_cameo")]

    def __str__(self):
        return f"{self.member} in {self.show}"
