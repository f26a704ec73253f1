"""The OST catalogue: groups and their members, shows, and the songs idols sang for them."""

import functools
from urllib.parse import quote, urlsplit

import reversion
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import Count, Exists, F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils import dateformat, timezone


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


def long_date(value):
    """"2 May 2018", as the messages to editors write dates."""
    return dateformat.format(value, "j F Y")


def year_date_mismatch(year_label, year, date_label, date):
    """The message for a year and a date that disagree, shown on the year's field."""
    return ValidationError(
        "The %(date_label)s is in %(date_year)s but the %(year_label)s says %(year)s. Correct one of them.",
        code="year_date_mismatch",
        params={"date_label": date_label, "date_year": date.year, "year_label": year_label, "year": year},
    )


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


DRAFT_HELP = (
    "A draft is seen only by editors, through the Preview link of its form; it is left out of every list, feed, "
    "sitemap, count and search until it is published. %s"
)


class PublishedQuerySet(models.QuerySet):
    def published(self, preview=None):
        """What the public sees: no drafts. `preview` (the draft an editor is previewing) counts as published."""
        public = Q(is_draft=False)
        if isinstance(preview, self.model):
            public |= Q(pk=preview.pk)
        return self.filter(public)

    def drafts(self):
        return self.filter(is_draft=True)


class GroupQuerySet(PublishedQuerySet):
    def with_counts(self, osts=None):
        """`ost_count` (of `osts`, by default every OST) and `member_count` (current members) for each group."""
        osts = OST.objects.all() if osts is None else osts
        return self.annotate(
            ost_count=count_of(osts.filter(artist=OuterRef("pk"))),
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
    is_draft = models.BooleanField(
        "draft", default=False,
        help_text=DRAFT_HELP % "The group's OSTs are drafts too while it is one, whatever their own box says.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    sources = GenericRelation("Source", related_query_name="group")

    objects = GroupQuerySet.as_manager()

    class Meta:
        # Told apart from the permission groups of the editors' accounts.
        verbose_name = "idol group"
        # Case-insensitive, so "aespa" sorts among the As on every database.
        ordering = [Lower("name")]
        # The group list walks this index and stops after a page, instead of sorting every group.
        indexes = [models.Index(Lower("name"), name="group_name_ci")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_page_url("catalog:group-detail", self.slug)

    @property
    def is_public(self):
        return not self.is_draft

    def page_sources(self):
        """The sources the group's page lists: the group's own and its line-up's."""
        return Source.objects.filter(Q(group=self) | Q(membership__group=self)).distinct()

    def name_on(self, day):
        """What the group was called on `day`: an earlier name whose dates cover it, otherwise its name today."""
        if self.pk is None or day is None:
            return self.name
        earlier = self.earlier_names.filter(
            Q(used_from__isnull=True) | Q(used_from__lte=day), used_until__gte=day
        ).first()
        return earlier.name if earlier else self.name


class GroupName(models.Model):
    """A name the group went by before its current one (`Group.name`), with the dates it was used."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="earlier_names")
    name = models.CharField(max_length=100)
    native_name = models.CharField(max_length=100, blank=True)
    used_from = models.DateField(null=True, blank=True, help_text="Leave empty if not known.")
    used_until = models.DateField(
        null=True, blank=True, help_text="The last day the name was used. Leave empty if not known."
    )

    class Meta:
        verbose_name = "earlier name"
        ordering = ["group", F("used_until").desc(nulls_last=True), "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "name"],
                name="unique_group_name",
                violation_error_message="The group already has this earlier name.",
            ),
            models.CheckConstraint(
                condition=Q(used_from__isnull=True) | Q(used_until__isnull=True) | Q(used_until__gte=F("used_from")),
                name="group_name_dates_in_order",
                violation_error_message="A name cannot stop being used before it was first used.",
            ),
        ]

    def __str__(self):
        return f"{self.name} (earlier name of {self.group})"


class Alias(models.Model):
    """Another name fans know a group or an idol by (an abbreviation, a producer name), with the pages that say so.

    Search finds the group or idol by it; it is only kept with a source that states it (`sources`).
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, null=True, blank=True, related_name="aliases")
    member = models.ForeignKey(
        "Member", on_delete=models.CASCADE, null=True, blank=True, related_name="aliases", verbose_name="idol"
    )
    name = models.CharField(max_length=100, help_text="As fans write it, e.g. SKZ.")
    sources = GenericRelation("Source", related_query_name="alias")

    class Meta:
        verbose_name_plural = "aliases"
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False, member__isnull=True) | Q(group__isnull=True, member__isnull=False),
                name="alias_of_one_entry",
                violation_error_message="An alias belongs to a group or to an idol: choose one of them.",
            ),
            models.UniqueConstraint(
                fields=["group", "name"], name="unique_group_alias",
                violation_error_message="The group already has this alias.",
            ),
            models.UniqueConstraint(
                fields=["member", "name"], name="unique_member_alias",
                violation_error_message="The idol already has this alias.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.group or self.member})"

    @property
    def entry(self):
        return self.group or self.member


class MemberQuerySet(models.QuerySet):
    """Members have no draft state: every member page is public (a draft group's line-up is left off it)."""

    def published(self, preview=None):
        return self.all()

    def drafts(self):
        return self.none()


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
    sources = GenericRelation("Source", related_query_name="member")

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["stage_name"]

    def __str__(self):
        return self.stage_name

    def get_absolute_url(self):
        return detail_page_url("catalog:member-detail", self.slug)

    def page_sources(self):
        """The sources the member's page lists: the member's own and their memberships'."""
        return Source.objects.filter(Q(member=self) | Q(membership__member=self)).distinct()

    @property
    def name_with_groups(self):
        """"Winter (aespa)": the stage name with the member's groups, as pickers show it (prefetch `groups`)."""
        groups = ", ".join(group.name for group in self.groups.all())
        return f"{self.stage_name} ({groups})" if groups else self.stage_name


class MembershipQuerySet(models.QuerySet):
    def at_release(self, released_on, release_year, first_aired_on=None):
        """Memberships of members who were in the group when a song came out.

        Takes values or OuterRefs. Current members count; former ones only if they are known to have
        left after the release, or after the song was first heard in its show, so an unknown leaving or
        release date never claims a singer.
        """
        in_group = Q(status=Membership.Status.CURRENT)
        if released_on is not None:
            in_group |= Q(left_on__gt=released_on)
        if first_aired_on is not None:
            in_group |= Q(left_on__gt=first_aired_on)
        if release_year is not None:
            in_group |= Q(left_on__year__gt=release_year)
        return self.filter(in_group)

    def at_release_of(self, ost):
        return self.at_release(ost.released_on, ost.release_year, ost.first_aired_on)


LEFT_ON_FOR_CURRENT_MEMBER = (
    "Only a former member has a leaving date. Choose “Former member”, or clear the date."
)


def _cached(instance, field_name):
    """The related object already on `instance` (e.g. an inline's unsaved parent), or None."""
    return instance._meta.get_field(field_name).get_cached_value(instance, None)


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
    sources = GenericRelation("Source", related_query_name="membership")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "status", "order", "member__stage_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member"],
                name="unique_membership",
                violation_error_message="This idol is already in the group's line-up.",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(status="former"),
                name="left_on_only_for_former_members",
                violation_error_message=LEFT_ON_FOR_CURRENT_MEMBER,
            ),
        ]

    def __str__(self):
        return f"{self.member} in {self.group}"

    def clean(self):
        if self.left_on is None:
            return
        if self.status != self.Status.FORMER:
            raise ValidationError({"left_on": ValidationError(LEFT_ON_FOR_CURRENT_MEMBER, code="left_on_for_current")})
        group = self.group if self.group_id or _cached(self, "group") else None
        if group is not None and group.debut_date and self.left_on < group.debut_date:
            raise ValidationError({
                "left_on": ValidationError(
                    "%(group)s debuted on %(debut)s, so nobody can have left the group before then.",
                    code="left_before_debut",
                    params={"group": group.name, "debut": long_date(group.debut_date)},
                )
            })

    @property
    def is_former(self):
        return self.status == self.Status.FORMER

    def left_before(self, released_on, release_year):
        """Known to have left the group on or before a release (a date, or only a year); an unknown date never is."""
        if not self.is_former or self.left_on is None:
            return False
        if released_on is not None:
            return self.left_on <= released_on
        return release_year is not None and self.left_on.year < release_year

    def status_at_release_of(self, ost):
        """"in group", "left" (known to have left before the release) or "unknown": a former member whose leaving
        date, or the song's release date, is not known is never said to have left."""
        if self.was_in_group_for(ost):
            return "in group"
        if self.left_before(ost.released_on, ost.release_year):
            return "left"
        return "unknown"

    def was_in_group_for(self, ost):
        """The rule of `MembershipQuerySet.at_release`, for rows already loaded."""
        if not self.is_former:
            return True
        if self.left_on is None:
            return False
        return bool(
            ost.released_on and self.left_on > ost.released_on
            or ost.first_aired_on and self.left_on > ost.first_aired_on
            or ost.release_year and self.left_on.year > ost.release_year
        )


class ShowQuerySet(PublishedQuerySet):
    def with_ost_counts(self, osts=None):
        """`ost_count` for each show: how many of `osts` (by default every OST) are in it."""
        osts = OST.objects.all() if osts is None else osts
        return self.annotate(ost_count=count_of(osts.filter(show=OuterRef("pk"))))


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
    also_on = models.ManyToManyField(Network, blank=True, related_name="shows_also_on", verbose_name="other networks")
    country = models.CharField(max_length=100, blank=True)
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty if unknown or still airing.")
    premiered_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    episodes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1, "A show has at least one episode. Leave this empty if the count is not known.")],
    )
    source_kind = models.CharField(max_length=20, choices=SourceKind, blank=True)
    source_title = models.CharField(max_length=200, blank=True)
    source_note = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="shows/", blank=True)
    is_draft = models.BooleanField(
        "draft", default=False,
        help_text=DRAFT_HELP % "The show's OSTs are drafts too while it is one, whatever their own box says.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    sources = GenericRelation("Source", related_query_name="show")

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
                violation_error_message="A show's last year cannot come before its first year.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(premiered_on__isnull=True) | Q(ended_on__gte=F("premiered_on")),
                name="show_dates_in_order",
                violation_error_message="A show cannot end before it premiered.",
            ),
            models.CheckConstraint(
                condition=Q(episodes__isnull=True) | Q(episodes__gt=0),
                name="show_episodes_positive",
                violation_error_message="A show has at least one episode.",
            ),
            models.CheckConstraint(
                condition=Q(premiered_on__isnull=True) | Q(premiered_on__year=F("first_year")),
                name="show_premiere_in_first_year",
                violation_error_message="A show's premiere date falls in its first year.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(last_year__isnull=True) | Q(ended_on__year=F("last_year")),
                name="show_end_in_last_year",
                violation_error_message="A show's end date falls in its last year.",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.premiered_on and self.first_year and self.premiered_on.year != self.first_year:
            errors["first_year"] = year_date_mismatch("first year", self.first_year, "premiere date", self.premiered_on)
        if self.ended_on and self.last_year and self.ended_on.year != self.last_year:
            errors["last_year"] = year_date_mismatch("last year", self.last_year, "end date", self.ended_on)
        if self.premiered_on and self.ended_on and self.ended_on < self.premiered_on:
            errors["ended_on"] = ValidationError(
                "The show cannot end before it premiered on %(premiered)s.",
                code="ended_before_premiere",
                params={"premiered": long_date(self.premiered_on)},
            )
        if self.first_year and self.last_year and self.last_year < self.first_year and "last_year" not in errors:
            errors["last_year"] = ValidationError(
                "The last year cannot come before the first year, %(first)s.",
                code="years_out_of_order",
                params={"first": self.first_year},
            )
        if errors:
            raise ValidationError(errors)

    @property
    def latest_year(self):
        """The last year the show aired, when known."""
        return self.last_year or (self.ended_on.year if self.ended_on else None)

    def get_absolute_url(self):
        return detail_page_url("catalog:show-detail", self.slug)

    @property
    def is_public(self):
        return not self.is_draft

    def page_sources(self):
        return self.sources.all()

    @property
    def years(self):
        if self.last_year and self.last_year != self.first_year:
            return f"{self.first_year}–{self.last_year}"
        return str(self.first_year)


def singers_in_roster_order():
    """An OST's singers in its group's roster order (`Membership.order`): the one order every page, card and
    the structured data name them in."""
    roster_order = (
        Membership.objects.filter(member=OuterRef("pk"), group=OuterRef("osts_sung__artist")).order_by().values("order")
    )
    return models.Prefetch(
        "singers", Member.objects.annotate(roster_order=Subquery(roster_order[:1])).order_by("roster_order", "stage_name")
    )


def idol_writing():
    """The confirmed lyrics and composition credits of the OST in the outer query."""
    return Credit.objects.filter(ost=OuterRef("pk"), role__in=Credit.WRITING, unsure=False)


def card_prefetches():
    """The related rows an OST card lists: languages, singers in roster order, and the listen links (its play mark)."""
    return ["languages", singers_in_roster_order(), "listen_links"]


class OSTQuerySet(models.QuerySet):
    def published(self, preview=None):
        """What the public sees: the OSTs that are published and whose group and show are published too.
        `preview` (the draft OST, group or show an editor is previewing) counts as published."""

        def drafts(model):
            found = model.objects.drafts()
            return (found.exclude(pk=preview.pk) if isinstance(preview, model) else found).values("pk")

        own = Q(is_draft=False)
        if isinstance(preview, OST):
            own |= Q(pk=preview.pk)
        # Uncorrelated subqueries over the two small tables: the OST table is still walked in its own order.
        return self.filter(own).exclude(artist__in=drafts(Group)).exclude(show__in=drafts(Show))

    def drafts(self):
        """The OSTs the public does not see: drafts, and those of a draft group or show."""
        return self.exclude(pk__in=OST.objects.published().values("pk"))

    def card_ids(self):
        """Just the ids: enough to find the OSTs' cards in the cache. `ost_cards` loads the rest of a card's
        rows only for the cards it has to make."""
        return self.only("pk")

    def for_cards(self):
        """The row data of an OST card; the rest (`card_prefetches()`) is fetched only for cards not in the cache.

        `idol_written`: a member of the group is credited (and confirmed) with the song's words or music, its badge.
        """
        return self.select_related("show", "show__network", "artist").annotate(idol_written=Exists(idol_writing()))

    def written_by_idols(self):
        """Songs whose words or music an idol is credited with, counting only credits a source confirms."""
        return self.filter(Exists(idol_writing()))

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

    # The filters whose options carry counts, each counted by `facet_count`.
    FACETS = ("group", "member", "show", "type", "network", "language", "role", "agency", "year")

    def facet_counts(self, names=FACETS):
        """How many OSTs each filter option holds, for the labels of the filter form ("Anime (6)")."""
        return {name: self.facet_count(name) for name in names}

    def facet_count(self, name):
        """{option: OSTs} for one filter of the OST list, in one grouped query (two for networks: the show's own
        and the others that carried it). Options with no OST are left out."""

        def count_by(field, condition=None):
            rows = self.order_by().values_list(field).annotate(n=Count("pk", distinct=True, filter=condition))
            return {key: n for key, n in rows if n}

        if name == "network":
            networks = count_by("show__network")
            for network, n in count_by("show__also_on").items():
                if network is not None:
                    networks[network] = networks.get(network, 0) + n
            return networks
        if name == "member":
            return self._member_counts()
        field = {
            "type": "show__kind", "role": "placement", "year": "release_year", "language": "languages",
            "group": "artist", "agency": "artist__agency", "show": "show",
        }[name]
        return count_by(field)

    def _member_counts(self):
        """{member id: OSTs} by the rule of `sung_by`: the songs a member is credited on, and their group's
        whole-group songs from their time in it. Singers are always members of the song's group, so one join
        through the group's memberships finds both."""
        membership = "artist__memberships__"
        in_group_then = (
            Q(**{f"{membership}status": Membership.Status.CURRENT})
            | Q(**{f"{membership}left_on__gt": F("released_on")})
            | Q(**{f"{membership}left_on__gt": F("first_aired_on")})
            | Q(**{f"{membership}left_on__year__gt": F("release_year")})
        )
        sang_it = Exists(
            OST.singers.through.objects.filter(ost=OuterRef("pk"), member=OuterRef(f"{membership}member"))
        )
        rows = (
            self.order_by()
            .values_list(f"{membership}member")
            .annotate(n=Count("pk", distinct=True, filter=Q(sung_by_whole_group=True) & in_group_then | Q(sang_it)))
        )
        return {member: n for member, n in rows if member is not None and n}

    def per_year(self, by):
        """[(release year, group id or kind of show, OST count)] in one grouped query: how many OSTs came out each
        year, split by group (`by="group"`) or by kind of show (`by="kind"`). Songs whose year is not known are
        counted under the year None."""
        field = {"group": "artist", "kind": "show__kind"}[by]
        return list(self.order_by().values_list("release_year", field).annotate(n=Count("pk")))

    def sung_by(self, member):
        """Solos, subsets and whole-group songs the member was part of."""
        in_lineup = Membership.objects.filter(group=OuterRef("artist"), member=member).at_release(
            OuterRef("released_on"), OuterRef("release_year"), OuterRef("first_aired_on")
        )
        # The ids first, in one subquery (the songs they sang UNION their groups' whole-group songs from their
        # time), then the OSTs by id: any condition over the OST table made SQLite or PostgreSQL read all of it
        # (0.4 s on SQLite, 3.6 s on PostgreSQL at 100,000 OSTs).
        sang_it = OST.singers.through.objects.filter(member=member).values_list("ost", flat=True)
        groups = Membership.objects.filter(member=member).values("group")
        whole_group = OST.objects.filter(sung_by_whole_group=True, artist__in=groups).filter(Exists(in_lineup))
        return self.filter(pk__in=sang_it.order_by().union(whole_group.order_by().values_list("pk", flat=True)))


# A song can come out up to this many years before its show first airs (a theme released ahead) or after it ends.
RELEASE_MARGIN_YEARS = 1


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
    artist = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="osts", verbose_name="group")
    credited_as = models.CharField(
        max_length=100,
        blank=True,
        help_text="The group's name on the release. Left empty, the group's name today is filled in; a song keeps it "
        "when the group is renamed later.",
    )
    sung_by_whole_group = models.BooleanField(
        default=False, help_text="Tick when every member at the time sang it; otherwise list the singers."
    )
    singers = models.ManyToManyField(Member, blank=True, related_name="osts_sung")
    languages = models.ManyToManyField(Language, blank=True, related_name="osts")
    placement = models.CharField(max_length=20, choices=Placement)
    placement_number = models.PositiveSmallIntegerField(null=True, blank=True)
    release_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year the record came out (see the release date)."
    )
    released_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the record came out (single, album or digital release), not the day it was first "
        "heard on air: that is the first broadcast. Leave empty if not known.",
    )
    first_aired_on = models.DateField(
        null=True, blank=True, verbose_name="first broadcast", help_text="The day the song was first heard in the show."
    )
    notes = models.TextField(blank=True)
    is_draft = models.BooleanField(
        "draft", default=False,
        help_text=DRAFT_HELP % "An OST is public only when it, its group and its show are all published.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    sources = GenericRelation("Source", related_query_name="ost")

    objects = OSTQuerySet.as_manager()

    class Meta:
        verbose_name = "OST"
        verbose_name_plural = "OSTs"
        # Spelled out so SQLite and PostgreSQL agree on where unknown dates go.
        ordering = [F("release_year").desc(nulls_last=True), F("released_on").desc(nulls_last=True), "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["show", "placement", "placement_number"],
                condition=Q(placement_number__isnull=False),
                name="unique_placement_in_show",
                violation_error_message="The show already has a song in this place with this number.",
            ),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | Q(release_year__isnull=True) | Q(released_on__year=F("release_year")),
                name="ost_release_year_matches_date",
                violation_error_message="The release date and the release year disagree.",
            ),
        ]
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

    @property
    def is_public(self):
        """The rule of `OSTQuerySet.published`, for a row already loaded: it, its group and its show are published."""
        return not (self.is_draft or self.artist.is_draft or self.show.is_draft)

    @classmethod
    def from_db(cls, db, field_names, values):
        ost = super().from_db(db, field_names, values)
        if "artist_id" in field_names and "show_id" in field_names:
            # Where it was as loaded, so a save that moves it knows the group and show pages it leaves.
            ost.loaded_places = [(ost.artist_id, ost.show_id)]
        if "is_draft" in field_names:
            # Whether it was a draft as loaded, so a save that publishes or unpublishes it is told apart.
            ost.loaded_draft = ost.is_draft
        return ost

    def page_sources(self):
        return self.sources.all()

    def save(self, *args, **kwargs):
        # A date given without a year gives the year; a year that was typed is never replaced (clean() says
        # when the two disagree).
        if self.released_on and self.release_year is None:
            self.release_year = self.released_on.year
        if not self.credited_as and (self.artist_id or _cached(self, "artist")):
            self.credited_as = self.artist.name
        super().save(*args, **kwargs)
        # Saved: a later save compares with this state (the post_save handlers have seen the old one).
        self.loaded_draft = self.is_draft

    def clean(self):
        errors = {}
        if self.released_on and self.release_year and self.released_on.year != self.release_year:
            errors["release_year"] = year_date_mismatch(
                "release year", self.release_year, "release date", self.released_on
            )
        year = self.released_on.year if self.released_on else self.release_year
        when_field = "released_on" if self.released_on else "release_year"
        group = self.artist if self.artist_id or _cached(self, "artist") else None
        show = self.show if self.show_id or _cached(self, "show") else None
        if year is not None and not errors:
            if group is not None and group.debut_date:
                too_early = self.released_on < group.debut_date if self.released_on else year < group.debut_date.year
                if too_early:
                    errors[when_field] = ValidationError(
                        "%(group)s debuted on %(debut)s; this song cannot have come out before that.",
                        code="released_before_debut",
                        params={"group": group.name, "debut": long_date(group.debut_date)},
                    )
            if show is not None and when_field not in errors:
                latest = show.latest_year
                if year < show.first_year - RELEASE_MARGIN_YEARS or latest and year > latest + RELEASE_MARGIN_YEARS:
                    errors[when_field] = ValidationError(
                        "%(show)s aired in %(years)s; a song from %(year)s is more than a year away from that. "
                        "Check the date, or the show.",
                        code="released_far_from_show",
                        params={"show": show.title, "years": show.years, "year": year},
                    )
        if self.placement_number is not None and self.placement and show is not None and show.pk:
            taken = OST.objects.filter(show=show, placement=self.placement, placement_number=self.placement_number)
            clash = taken.exclude(pk=self.pk).first() if self.pk else taken.first()
            if clash is not None:
                errors["placement_number"] = ValidationError(
                    "%(show)s already has %(place)s: “%(title)s”. Choose another number.",
                    code="placement_taken",
                    params={"show": show.title, "place": clash.placement_label, "title": clash.title},
                )
        if errors:
            raise ValidationError(errors)

    def lineup_problem(self, member, membership):
        """Why `member` (with their `membership` of the OST's group, or None) cannot be credited on this song."""
        if membership is None:
            return ValidationError(
                "%(member)s is not a member of %(group)s.",
                code="not_in_group",
                params={"member": member.stage_name, "group": self.artist.name},
            )
        if membership.left_before(self.released_on, self.release_year):
            return ValidationError(
                "%(member)s left %(group)s on %(left)s, before this song came out.",
                code="left_before_release",
                params={
                    "member": member.stage_name,
                    "group": self.artist.name_on(membership.left_on),
                    "left": long_date(membership.left_on),
                },
            )
        return None

    def check_members(self, members):
        """The lineup problems of `members` (people to credit on this song), one message each."""
        if not (self.artist_id or _cached(self, "artist")):
            return []
        members = list(members)
        memberships = {
            m.member_id: m for m in Membership.objects.filter(group_id=self.artist.pk, member__in=members)
        } if self.artist.pk else {}
        return [
            problem
            for member in members
            if (problem := self.lineup_problem(member, memberships.get(member.pk))) is not None
        ]

    def validate_singers(self, singers):
        """Raise a ValidationError on `singers` when they cannot sing this song: a many-to-many value is not on
        the instance before it is saved, so forms and imports pass the singers they are about to set."""
        singers = list(singers)
        if self.sung_by_whole_group and singers:
            raise ValidationError({
                "singers": ValidationError(
                    "Leave the singers empty when the whole group sang it, or untick “Sung by the whole group”.",
                    code="whole_group_and_singers",
                )
            })
        problems = self.check_members(singers)
        if problems:
            raise ValidationError({"singers": problems})

    @property
    def credited_name(self):
        """The group's name as the song was credited, which a later renaming of the group does not change."""
        return self.credited_as or self.artist.name

    @property
    def group_renamed(self):
        """The song was credited under a name the group no longer goes by."""
        return bool(self.credited_as) and self.credited_as != self.artist.name

    @property
    def singer_names(self):
        """"Winter & Ningning" for a subset or solo; empty when the whole group sang."""
        if self.sung_by_whole_group:
            return ""
        names = [member.stage_name for member in self.singers.all()]
        return " & ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)

    @property
    def listen_searches(self):
        """Searches on the streaming services, for an OST with no listen link stored."""
        return listen_searches(self)

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


# Where a fan can search for a song no link is stored for: the service's name and its search address.
LISTEN_SEARCHES = [
    ("YouTube", "https://www.youtube.com/results?search_query={}"),
    ("Spotify", "https://open.spotify.com/search/{}"),
    ("Melon", "https://www.melon.com/search/total/index.htm?q={}"),
]


def listen_searches(ost):
    """"Search YouTube for …": a search per service for the title and group (needs `artist` loaded)."""
    query = f"{ost.title} {ost.artist.name}"
    return [
        {"service": service, "query": query, "url": template.format(quote(query, safe=""))}
        for service, template in LISTEN_SEARCHES
    ]


class ListenLink(models.Model):
    """Where an OST can be heard or watched: an official video or recording on a streaming service."""

    class Kind(models.TextChoices):
        YOUTUBE = "youtube", "YouTube"
        YOUTUBE_MUSIC = "youtube-music", "YouTube Music"
        SPOTIFY = "spotify", "Spotify"
        APPLE_MUSIC = "apple-music", "Apple Music"
        MELON = "melon", "Melon"
        GENIE = "genie", "Genie"
        BUGS = "bugs", "Bugs"
        FLO = "flo", "FLO"
        VIBE = "vibe", "VIBE"
        OTHER = "other", "Other"

    class Content(models.TextChoices):
        MUSIC_VIDEO = "mv", "Music video"
        SONG = "song", "Song"

    # The hosts each kind's addresses are on; "other" is any host not listed here.
    HOSTS = {
        Kind.YOUTUBE: {"www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be"},
        Kind.YOUTUBE_MUSIC: {"music.youtube.com"},
        Kind.SPOTIFY: {"open.spotify.com"},
        Kind.APPLE_MUSIC: {"music.apple.com"},
        Kind.MELON: {"www.melon.com", "melon.com", "m2.melon.com", "m.app.melon.com"},
        Kind.GENIE: {"www.genie.co.kr", "genie.co.kr", "m.genie.co.kr"},
        Kind.BUGS: {"music.bugs.co.kr", "m.bugs.co.kr"},
        Kind.FLO: {"www.music-flo.com", "music-flo.com"},
        Kind.VIBE: {"vibe.naver.com"},
    }

    ost = models.ForeignKey("OST", on_delete=models.CASCADE, related_name="listen_links")
    kind = models.CharField(max_length=20, choices=Kind)
    content = models.CharField(max_length=10, choices=Content, default=Content.SONG, verbose_name="what it is")
    url = models.URLField(
        "address", max_length=500,
        help_text="The official upload or release only (the agency's, the broadcaster's or the label's), https.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Buttons are shown in this order.")

    class Meta:
        ordering = ["ost", "order", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ost", "url"], name="unique_listen_link",
                violation_error_message="This address is already listed for the song.",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="https://"), name="listen_link_https",
                violation_error_message="Only https addresses can be listed.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.ost}"

    def clean(self):
        if not self.url or not self.kind:
            return
        parts = urlsplit(self.url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https":
            raise ValidationError({"url": ValidationError(
                "Only https addresses: write it as https://%(rest)s.", code="not_https",
                params={"rest": self.url.split("://", 1)[-1]},
            )})
        if self.kind == self.Kind.OTHER:
            known = next((kind for kind, hosts in self.HOSTS.items() if host in hosts), None)
            if known is not None:
                raise ValidationError({"kind": ValidationError(
                    "This is a %(service)s address: choose %(service)s as the kind.", code="known_service",
                    params={"service": self.Kind(known).label},
                )})
        elif host not in self.HOSTS[self.kind]:
            raise ValidationError({"url": ValidationError(
                "A %(service)s link is on %(hosts)s; this address is on %(host)s. Check the address, or the kind.",
                code="wrong_host",
                params={"service": self.get_kind_display(), "hosts": " or ".join(sorted(self.HOSTS[self.kind])),
                        "host": host or "no host"},
            )})


class Credit(models.Model):
    """Work on a song beyond singing it."""

    class Role(models.TextChoices):
        LYRICS = "lyrics", "Lyrics"
        COMPOSITION = "composition", "Composition"
        ARRANGEMENT = "arrangement", "Arrangement"

    # The roles that make a song "written by the idols": writing its words or its music.
    WRITING = [Role.LYRICS, Role.COMPOSITION]

    ost = models.ForeignKey(OST, on_delete=models.CASCADE, related_name="credits")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=20, choices=Role)
    unsure = models.BooleanField(
        "not confirmed",
        default=False,
        help_text="Tick when no source confirms the credit (e.g. only the article names it). The site then marks it "
        "“unconfirmed”, leaves it out of the structured data and does not count it as written by the idols.",
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["ost", "role", "member__stage_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ost", "member", "role"],
                name="unique_credit",
                violation_error_message="This idol already has this credit on the song.",
            )
        ]

    def __str__(self):
        return f"{self.member} – {self.role_label} – {self.ost}"

    @property
    def role_label(self):
        """"Lyrics", or "Lyrics (unconfirmed)" for a credit no source confirms."""
        label = self.get_role_display()
        return f"{label} (unconfirmed)" if self.unsure else label

    def clean(self):
        ost = self.ost if self.ost_id else _cached(self, "ost")
        if ost is not None and self.member_id:
            problems = ost.check_members([self.member])
            if problems:
                raise ValidationError({"member": problems})


class Cameo(models.Model):
    """An idol appearing on screen in a show."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="cameos")
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="cameos")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["show__title", "member__stage_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "show"],
                name="unique_cameo",
                violation_error_message="This idol's appearance in the show is already listed.",
            )
        ]

    def __str__(self):
        return f"{self.member} in {self.show}"


# Only pages on the web: a source an editor or a reader can open.
web_address = URLValidator(
    schemes=["http", "https"], message="Give the address of a web page, starting with http:// or https://."
)


class Source(models.Model):
    """A public page a fact comes from, attached to the OST, show, group, member or membership it supports."""

    ENTRY_MODELS = ["ost", "show", "group", "member", "membership", "alias"]

    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        limit_choices_to={"app_label": "catalog", "model__in": ENTRY_MODELS},
        verbose_name="kind of entry",
    )
    object_id = models.PositiveBigIntegerField(verbose_name="entry")
    entry = GenericForeignKey("content_type", "object_id")
    url = models.URLField("address", max_length=500, validators=[web_address])
    title = models.CharField(max_length=200, help_text="The site or page, as a reader would recognise it.")
    accessed_on = models.DateField("date accessed", null=True, blank=True)
    supports = models.CharField(
        "supports",
        max_length=200,
        blank=True,
        help_text="Which facts it backs up, e.g. “debut date” or “release date, placement”; empty for the whole entry.",
    )

    class Meta:
        ordering = ["content_type", "object_id", "title", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_is_a_web_page",
                violation_error_message="Give the address of a web page, starting with http:// or https://.",
            ),
        ]

    def __str__(self):
        return self.title


# History (django-reversion): each saved entry keeps a version of the rows edited on its page, so undoing a change
# or recovering a deleted entry brings those back with it (an OST's singers and languages are part of its own
# version; its credits, sources, listen links and earlier names follow it).
for model in (Agency, Network, Language, Cameo, Credit, Source, GroupName, ListenLink):
    reversion.register(model)
reversion.register(Membership, follow=["sources"])
reversion.register(Alias, follow=["sources"])
reversion.register(Group, follow=["memberships", "sources", "earlier_names", "aliases"])
reversion.register(Member, follow=["memberships", "cameos", "sources", "aliases"])
reversion.register(Show, follow=["cameos", "sources"])
reversion.register(OST, follow=["credits", "sources", "listen_links"])
