"""Tiny factories for test data: each makes one valid row, with overrides."""

import itertools

from django.utils.text import slugify

from catalog.models import OST, Agency, Group, Language, Member, Membership, Network, Show

_n = itertools.count(1)


def make_agency(**kw):
    name = kw.pop("name", f"Agency {next(_n)}")
    return Agency.objects.create(name=name, slug=kw.pop("slug", slugify(name)), **kw)


def make_network(**kw):
    name = kw.pop("name", f"Network {next(_n)}")
    return Network.objects.create(name=name, slug=kw.pop("slug", slugify(name)), **kw)


def make_language(**kw):
    name = kw.pop("name", f"Language {next(_n)}")
    return Language.objects.create(name=name, code=kw.pop("code", slugify(name)[:10]), **kw)


def make_group(**kw):
    name = kw.pop("name", f"Group {next(_n)}")
    kw.setdefault("kind", Group.Kind.GIRL)
    if "agency" not in kw:
        kw["agency"] = make_agency()
    return Group.objects.create(name=name, slug=kw.pop("slug", slugify(name)), **kw)


def make_member(group=None, status=Membership.Status.CURRENT, left_on=None, position="", **kw):
    name = kw.pop("stage_name", f"Member {next(_n)}")
    member = Member.objects.create(stage_name=name, slug=kw.pop("slug", slugify(name)), **kw)
    if group is not None:
        Membership.objects.create(group=group, member=member, status=status, left_on=left_on, position=position)
    return member


def make_show(**kw):
    title = kw.pop("title", f"Show {next(_n)}")
    kw.setdefault("kind", Show.Kind.KDRAMA)
    if "network" not in kw:
        kw["network"] = make_network()
    kw.setdefault("first_year", 2022)
    return Show.objects.create(title=title, slug=kw.pop("slug", slugify(title)), **kw)


def make_ost(singers=(), languages=(), **kw):
    title = kw.pop("title", f"Song {next(_n)}")
    if "show" not in kw:
        kw["show"] = make_show()
    if "artist" not in kw:
        kw["artist"] = make_group()
    kw.setdefault("placement", OST.Placement.OST_PART)
    kw.setdefault("release_year", 2022)
    ost = OST.objects.create(title=title, slug=kw.pop("slug", slugify(title)), **kw)
    ost.singers.set(singers)
    ost.languages.set(languages)
    return ost
