"""Fill an empty catalogue with a deterministic synthetic one, for benchmarks and load tests.

    python manage.py seed_synthetic --osts 100000 [--seed 1] [--batch-size 5000]

Proportions follow the real catalogue: about one group per 20 OSTs with rosters of 4 to 12 members
(about 7 on average, some of them former members), one show per 6 OSTs, one comment per 2 OSTs.
Everything is drawn from one random.Random(seed), so the same seed gives the same titles and slugs.
Rows go in with bulk_create, OSTs a batch at a time with their singers, languages, credits and
comments, so memory stays flat however many OSTs are asked for. At the default verbosity each step and
each batch of OSTs prints a progress line with the time so far (-v2 adds the peak memory); -v0 prints nothing.
"""

import random
import resource
import time
from bisect import bisect
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.utils.text import slugify

from ostsite.page_cache import invalidate_site
from catalog.models import OST, Agency, Cameo, Credit, Group, Language, Member, Membership, Network, Show
from comments.models import Comment

# (English, Korean, Japanese or None): titles and names are built from these.
WORDS = [
    ("Moon", "문", "月"), ("Star", "스타", "星"), ("Love", "러브", "恋"), ("Dream", "드림", "夢"),
    ("Blue", "블루", None), ("Night", "나이트", "夜"), ("Light", "라이트", "光"), ("Rain", "레인", "雨"),
    ("Snow", "스노우", "雪"), ("Heart", "하트", "心"), ("Spring", "스프링", "春"), ("Summer", "서머", "夏"),
    ("Winter", "윈터", "冬"), ("Autumn", "어텀", "秋"), ("Sky", "스카이", "空"), ("Ocean", "오션", "海"),
    ("Flower", "플라워", "花"), ("Sun", "선", "太陽"), ("Shadow", "섀도우", "影"), ("Echo", "에코", None),
    ("Crystal", "크리스탈", None), ("Velvet", "벨벳", None), ("Silver", "실버", "銀"), ("Golden", "골든", "金色"),
    ("Wild", "와일드", None), ("Secret", "시크릿", "秘密"), ("Eternal", "이터널", "永遠"), ("Lucky", "러키", None),
    ("Magic", "매직", "魔法"), ("Wave", "웨이브", "波"), ("Fire", "파이어", "炎"), ("Garden", "가든", "庭"),
    ("Road", "로드", "道"), ("Time", "타임", "時"), ("Memory", "메모리", "記憶"), ("Promise", "프로미스", "約束"),
    ("Tears", "티어스", "涙"), ("Smile", "스마일", None), ("Miracle", "미라클", "奇跡"), ("Destiny", "데스티니", "運命"),
    ("Angel", "엔젤", "天使"), ("Stellar", "스텔라", None), ("Nova", "노바", None), ("Aurora", "오로라", None),
    ("Breeze", "브리즈", "風"), ("Bloom", "블룸", None), ("Cosmic", "코스믹", "宇宙"), ("Lunar", "루나", None),
    ("Prism", "프리즘", None), ("Pulse", "펄스", None), ("Crown", "크라운", "王冠"), ("Mirror", "미러", "鏡"),
]
JA_WORDS = [word for word in WORDS if word[2]]
SONG_PATTERNS = [
    ("{a}", "{ka}"), ("{a} {b}", "{ka} {kb}"), ("My {a}", "나의 {ka}"), ("{a} in the {b}", "{kb} 속의 {ka}"),
    ("Because of {a}", "{ka} 때문에"), ("Until the {a}", "{ka}까지"), ("{a} Again", "다시 {ka}"),
    ("Like {a}", "{ka}처럼"), ("Your {a}", "너의 {ka}"), ("{a} and {b}", "{ka}와 {kb}"),
]
ANIME_PATTERNS = [
    ("{a} of the {b}", "{jb}の{ja}"), ("{a}", "{ja}"), ("{a} and {b}", "{ja}と{jb}"),
    ("The {a} Chronicles", "{ja}物語"), ("{a} {b}!", "{ja}{jb}!"), ("{a} Academy", "{ja}学園"),
]
SHOW_PATTERNS = [
    ("{a} {b}", "{ka} {kb}"), ("The {a} {b}", "{ka} {kb}"), ("{a} of {b}", "{kb}의 {ka}"),
    ("My {a} {b}", "나의 {ka} {kb}"), ("{a} {b} {c}", "{ka} {kb} {kc}"), ("Hello, {a}", "안녕, {ka}"),
]
GIVEN_SYLLABLES = [
    ("Ji", "지"), ("Min", "민"), ("Seo", "서"), ("Yeon", "연"), ("Ha", "하"), ("Eun", "은"), ("Soo", "수"),
    ("Jin", "진"), ("Woo", "우"), ("Hyun", "현"), ("Na", "나"), ("Yu", "유"), ("Chae", "채"), ("Won", "원"),
    ("Hee", "희"), ("Jun", "준"), ("Tae", "태"), ("Young", "영"), ("Da", "다"), ("Bin", "빈"), ("Sol", "솔"),
    ("Rin", "린"), ("Ah", "아"), ("Kyung", "경"), ("Hye", "혜"), ("Sung", "성"), ("Yoon", "윤"), ("Ho", "호"),
]
STAGE_NAMES = [
    ("Luna", "루나"), ("Kai", "카이"), ("Leo", "레오"), ("Ella", "엘라"), ("Jay", "제이"), ("Vivi", "비비"),
    ("Mia", "미아"), ("Zoe", "조이"), ("Ray", "레이"), ("Ian", "이안"), ("Noah", "노아"), ("Aria", "아리아"),
    ("Yuna", "유나"), ("Rosie", "로지"), ("Hana", "하나"), ("Theo", "테오"), ("Sky", "스카이"), ("Eden", "에덴"),
    ("Nana", "나나"), ("Rex", "렉스"), ("Sean", "션"), ("Lily", "릴리"), ("Dawn", "던"), ("Coco", "코코"),
]
SURNAMES = [("Kim", "김"), ("Lee", "이"), ("Park", "박"), ("Choi", "최"), ("Jung", "정"), ("Kang", "강"), ("Han", "한")]
POSITIONS = ["main vocalist", "lead vocalist", "vocalist", "main rapper", "rapper", "main dancer", "visual", ""]
NETWORKS = {
    # region: [(name, slug)], reused when the slug already exists.
    "korea": [("KBS2", "kbs2"), ("MBC", "mbc"), ("SBS", "sbs"), ("tvN", "tvn"), ("JTBC", "jtbc"), ("ENA", "ena"),
              ("OCN", "ocn"), ("EBS", "ebs"), ("Tooniverse", "tooniverse")],
    "japan": [("TV Tokyo", "tv-tokyo"), ("TOKYO MX", "tokyo-mx"), ("Fuji TV", "fuji-tv"), ("MBS", "mbs"),
              ("AT-X", "at-x"), ("NHK", "nhk"), ("TV Asahi", "tv-asahi"), ("BS11", "bs11")],
    "streaming": [("Netflix", "netflix"), ("Disney+", "disney-plus"), ("TVING", "tving"), ("Wavve", "wavve"),
                  ("Coupang Play", "coupang-play"), ("Viki", "viki"), ("iQIYI", "iqiyi"),
                  ("Crunchyroll", "crunchyroll")],
    "web": [("YouTube", "youtube"), ("Naver NOW", "naver-now"), ("KakaoTV", "kakaotv")],
}
LANGUAGES = [("Korean", "ko"), ("Japanese", "ja"), ("English", "en"), ("Chinese", "zh"), ("Thai", "th"),
             ("Spanish", "es"), ("Indonesian", "id"), ("Vietnamese", "vi")]
# kind: (weight, home networks, other networks, usual episode counts, main language, sources)
SHOW_KINDS = {
    Show.Kind.KDRAMA: (50, "korea", "streaming", (12, 16, 16, 20), "ko", ("original", "webtoon", "novel", "web-novel")),
    Show.Kind.ANIME: (25, "japan", "streaming", (12, 12, 13, 24, 25), "ja", ("manga", "manga", "web-novel")),
    Show.Kind.WEB_DRAMA: (15, "web", "streaming", (8, 10, 12), "ko", ("original", "webtoon")),
    Show.Kind.ANIMATED_SERIES: (10, "korea", "streaming", (26, 52), "ko", ("original", "webtoon", "film")),
}
NICKNAMES = ["moonchild", "ostlover", "blink", "midzy", "my", "stay", "engene", "neverland", "moa", "teume",
             "swith", "nswer", "drama_fan", "animefan", "kpopdaily", "soundtrack", "hallyu", "lyrics_girl"]
OST_REMARKS = [
    "{title} is my favourite {placement} this year!", "Still listening to {title} on repeat.",
    "{artist} sounded amazing on this one.", "This song is why I watched {show}.",
    "{artist} 목소리 너무 좋아요 ㅠㅠ", "{show} 보고 이 노래 듣고 울었어요", "{title} 가사가 너무 예뻐요",
    "{show}の主題歌、最高でした!", "The bridge of {title} gives me chills every time.",
]
SHOW_REMARKS = ["{show} had the best soundtrack of the year.", "{show} OST 전부 명곡이에요",
                "Watching {show} again just for the songs.", "Who else found {show} through the OST?"]
GROUP_REMARKS = ["{group} never miss with OSTs.", "{group} 노래는 다 좋아", "More OSTs for {group} please!",
                 "Found {group} through a drama OST and stayed."]
HOME_REMARKS = ["Thank you for keeping this list!", "Please add more anime OSTs.", "이 사이트 최고예요",
                "Which OST should I listen to first?", "I come back here every week for new songs."]
# Comments never fall after this moment, so reruns give the same data whatever the clock says.
LATEST_COMMENT = datetime(2026, 11, 1, tzinfo=dt_timezone.utc)
LATEST_RELEASE = date(2026, 10, 31)


def peak_rss_mb():
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Uniques:
    """Hands out unique slugs (or names): the first "moon", then "moon-2", "moon-3"…"""

    def __init__(self, separator="-"):
        self.used = set()
        self.last_number = {}
        self.separator = separator

    def __call__(self, base):
        candidate, n = base, self.last_number.get(base, 1)
        while candidate in self.used:
            n += 1
            candidate = f"{base}{self.separator}{n}"
        self.used.add(candidate)
        self.last_number[base] = n
        return candidate


def slug_of(text, max_length=80):
    return slugify(text, allow_unicode=True)[:max_length].strip("-") or "untitled"


def was_in_lineup(membership, released_on, release_year):
    """The same rule as MembershipQuerySet.at_release, for a (member_id, status, left_on) tuple."""
    member_id, status, left_on = membership
    if status == Membership.Status.CURRENT:
        return True
    if left_on is None:
        return False
    if released_on is not None:
        return left_on > released_on
    return release_year is not None and left_on.year > release_year


class Command(BaseCommand):
    help = "Fill an empty catalogue with a deterministic synthetic one of --osts OSTs (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--osts", type=int, required=True, help="How many OSTs to create.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per bulk INSERT batch.")

    def handle(self, *args, osts, seed, batch_size, verbosity, **options):
        if osts < 1:
            raise CommandError("--osts must be at least 1.")
        present = {
            model._meta.verbose_name_plural: model.objects.count() for model in (OST, Show, Group, Member, Agency)
        }
        present = {name: n for name, n in present.items() if n}
        if present:
            listing = ", ".join(f"{n} {name}" for name, n in present.items())
            raise CommandError(
                f"seed_synthetic fills an empty catalogue, and this one holds {listing}. "
                "Point DATABASE_URL at a fresh database (then migrate), or empty this one with `manage.py flush`."
            )
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.verbosity = verbosity
        self.counts = {}
        self.started = time.perf_counter()
        with transaction.atomic():
            self.seed(osts)
        with connection.cursor() as cursor:
            # Fresh planner statistics, as a database that has been live for a while would have.
            cursor.execute("ANALYZE")
        self.progress("planner statistics (ANALYZE)")
        # bulk_create sends no signals: tell the page caches once that the catalogue changed.
        invalidate_site()
        elapsed = time.perf_counter() - self.started
        if verbosity >= 1:
            summary = ", ".join(f"{n:,} {name}" for name, n in self.counts.items())
            self.stdout.write(f"Created {summary}.")
            self.stdout.write(
                self.style.SUCCESS(f"Seeded {osts:,} OSTs in {elapsed:.1f} s; peak RSS {peak_rss_mb():.0f} MB.")
            )

    def insert(self, model, objects):
        """bulk_create in batches; returns the objects with their primary keys."""
        created = model.objects.bulk_create(objects, batch_size=self.batch_size)
        name = str(model._meta.verbose_name_plural)
        self.counts[name] = self.counts.get(name, 0) + len(created)
        # With DEBUG on, Django keeps the SQL of every query; thousands of rows per INSERT add up.
        reset_queries()
        return created

    def progress(self, message):
        """A line per step: a big catalogue takes a minute or more, which should not pass in silence."""
        if self.verbosity >= 1:
            memory = f", peak RSS {peak_rss_mb():.0f} MB" if self.verbosity >= 2 else ""
            self.stdout.write(f"  {message} ({time.perf_counter() - self.started:.0f} s{memory})")

    # The catalogue, parents first -------------------------------------------------------------------

    def seed(self, n_osts):
        self.languages = {
            code: Language.objects.get_or_create(code=code, defaults={"name": name})[0] for name, code in LANGUAGES
        }
        self.networks = {
            region: [Network.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in pool]
            for region, pool in NETWORKS.items()
        }
        n_groups = max(1, round(n_osts / 20))
        n_shows = max(1, min(n_osts, round(n_osts / 6)))
        agencies = self.make_agencies(max(3, n_groups // 12))
        groups = self.make_groups(n_groups, agencies)
        self.progress(f"{len(groups):,} groups")
        rosters = self.make_members(groups)
        self.progress(f"{sum(len(r) for r in rosters):,} members")
        shows = self.make_shows(n_shows)
        self.progress(f"{len(shows):,} shows")
        self.make_cameos(shows, rosters)
        self.make_osts(n_osts, shows, groups, rosters)
        self.make_page_comments(n_osts, shows, groups)

    def pick_words(self, pool, k):
        return self.rng.sample(pool, k)

    def make_agencies(self, n):
        names, slugs = Uniques(separator=" "), Uniques()
        agencies = []
        for _ in range(n):
            (a, ka, _ja), (b, kb, _jb) = self.pick_words(WORDS, 2)
            kind, native_kind = self.rng.choice(
                [("Entertainment", "엔터테인먼트"), ("Music", "뮤직"), ("Label", "레이블"), ("Company", "컴퍼니")]
            )
            base, native = (f"{a} {kind}", f"{ka} {native_kind}") if self.rng.random() < 0.6 else (
                f"{a} {b} {kind}", f"{ka}{kb} {native_kind}")
            name = names(base)
            agencies.append(Agency(name=name, native_name=native, slug=slugs(slug_of(name))))
        return self.insert(Agency, agencies)

    def make_groups(self, n, agencies):
        slugs = Uniques()
        # A few big agencies manage many groups, as in the real industry.
        agency_weights = list(accumulate(1 / (rank + 1) for rank in range(len(agencies))))
        groups = []
        for _ in range(n):
            style = self.rng.random()
            (a, ka, _ja), (b, kb, _jb) = self.pick_words(WORDS, 2)
            if style < 0.4:
                name, native, alternatives = a.upper(), ka, ""
            elif style < 0.8:
                name, native, alternatives = f"{a} {b}", f"{ka} {kb}", f"{a}{b}".lower()
            else:
                digit = self.rng.randint(1, 12)
                name, native, alternatives = f"{a.upper()}{digit}", f"{ka}{digit}", f"{a} {digit}"
            agency = agencies[bisect(agency_weights, self.rng.random() * agency_weights[-1])]
            debut = date(2008, 1, 1) + timedelta(days=self.rng.randrange(17 * 365))
            groups.append(
                Group(
                    name=name,
                    native_name=native,
                    alternative_names=alternatives,
                    slug=slugs(slug_of(name)),
                    kind=self.rng.choice(Group.Kind.values),
                    agency=agency,
                    debut_date=debut,
                    description=f"{name} is a {agency.name} group that debuted in {debut.year}.",
                    created_at=datetime.combine(debut, datetime.min.time(), tzinfo=dt_timezone.utc),
                )
            )
        return self.insert(Group, groups)

    def make_members(self, groups):
        """Rosters of 4-12 (about 7), some former members; returns each group's [(member_id, status, left_on)]."""
        slugs = Uniques()
        sizes = list(range(4, 13))
        size_weights = list(accumulate([12, 14, 17, 17, 13, 10, 8, 5, 4]))  # mean ≈ 7
        members, plans = [], []
        for group in groups:
            size = sizes[bisect(size_weights, self.rng.random() * size_weights[-1])]
            formers = self.rng.choice([0, 0, 0, 0, 0, 1, 1, 2]) if size > 4 else 0
            for order in range(size):
                name, native = self.member_name()
                slug = slug_of(f"{name} {group.name}")
                # A few idols have no romanised name on record: their name and slug are Hangul.
                if self.rng.random() < 0.02:
                    name, slug = native, slug_of(f"{native} {group.native_name}")
                members.append(Member(stage_name=name, native_name=native, slug=slugs(slug)))
                status, left_on = Membership.Status.CURRENT, None
                if order >= size - formers:
                    status = Membership.Status.FORMER
                    if self.rng.random() < 0.85:  # otherwise the leaving date is unknown
                        left_on = group.debut_date + timedelta(days=self.rng.randrange(200, 3000))
                position = "leader" if order == 0 else self.rng.choice(POSITIONS)
                plans.append((group, order, status, left_on, position))
        members = self.insert(Member, members)
        memberships = [
            Membership(group=group, member=member, status=status, left_on=left_on, order=order, position=position)
            for member, (group, order, status, left_on, position) in zip(members, plans)
        ]
        self.insert(Membership, memberships)
        rosters = {group.pk: [] for group in groups}
        for m in memberships:
            rosters[m.group_id].append((m.member_id, m.status, m.left_on))
        return [rosters[group.pk] for group in groups]

    def member_name(self):
        style = self.rng.random()
        if style < 0.6:
            (a, ka), (b, kb) = self.pick_words(GIVEN_SYLLABLES, 2)
            return a + b.lower(), ka + kb
        if style < 0.85:
            return self.rng.choice(STAGE_NAMES)
        (s, ks), (a, ka), (b, kb) = self.rng.choice(SURNAMES), *self.pick_words(GIVEN_SYLLABLES, 2)
        return f"{s} {a}{b.lower()}", f"{ks}{ka}{kb}"

    def make_shows(self, n):
        slugs = Uniques()
        kinds = list(SHOW_KINDS)
        kind_weights = list(accumulate(SHOW_KINDS[kind][0] for kind in kinds))
        shows, also_on = [], []
        for _ in range(n):
            kind = kinds[bisect(kind_weights, self.rng.random() * kind_weights[-1])]
            _weight, home, other, episode_counts, _language, sources = SHOW_KINDS[kind]
            anime = kind == Show.Kind.ANIME
            pattern, native_pattern = self.rng.choice(ANIME_PATTERNS if anime else SHOW_PATTERNS)
            words = self.pick_words(JA_WORDS if anime else WORDS, 3)
            fill = {}
            for key, (english, korean, japanese) in zip("abc", words):
                fill |= {key: english, f"k{key}": korean, f"j{key}": japanese}
            title, original = pattern.format(**fill), native_pattern.format(**fill)
            country = "Japan" if anime else "South Korea"
            first_year = self.rng.randint(2010, 2025)
            span = self.rng.random()
            last_year = first_year if span < 0.6 else (first_year + 1 if span < 0.85 else None)
            episodes = self.rng.choice(episode_counts)
            premiered_on = date(first_year, 1, 1) + timedelta(days=self.rng.randrange(181))
            # Only single-year runs get an end date, a week per episode (at most 26 weeks, so still that year).
            ended_on = premiered_on + timedelta(weeks=min(episodes, 26)) if last_year == first_year else None
            network = self.rng.choice(self.networks[home] if self.rng.random() < 0.75 else self.networks[other])
            source = self.rng.choice(sources)
            shows.append(
                Show(
                    title=title,
                    original_title=original,
                    alternative_titles=title.lower().replace(" ", "") if self.rng.random() < 0.2 else "",
                    slug=slugs(slug_of(title)),
                    kind=kind,
                    network=network,
                    country=country,
                    first_year=first_year,
                    last_year=last_year,
                    premiered_on=premiered_on,
                    ended_on=ended_on,
                    episodes=episodes,
                    source_kind=source,
                    source_title=title if source != "original" else "",
                    description=f"A {Show.Kind(kind).label} first shown on {network.name} in {first_year}.",
                    created_at=datetime.combine(premiered_on, datetime.min.time(), tzinfo=dt_timezone.utc),
                )
            )
            if self.rng.random() < 0.3:
                also_on.append(self.rng.choice(self.networks["streaming"]))
            else:
                also_on.append(None)
        shows = self.insert(Show, shows)
        through = Show.also_on.through
        self.insert(
            through,
            [through(show_id=show.pk, network_id=network.pk) for show, network in zip(shows, also_on)
             if network is not None and network.pk != show.network_id],
        )
        return shows

    def make_cameos(self, shows, rosters):
        seen, cameos = set(), []
        for _ in range(len(shows) // 4):
            show = self.rng.choice(shows)
            member_id = self.rng.choice(self.rng.choice(rosters))[0]
            if (member_id, show.pk) not in seen:
                seen.add((member_id, show.pk))
                note = self.rng.choice(["", "episode 1", "a guest role"])
                cameos.append(Cameo(member_id=member_id, show=show, note=note))
        self.insert(Cameo, cameos)

    # OSTs, a batch at a time --------------------------------------------------------------------------

    def osts_per_show(self, n_osts, shows):
        """Every show gets at least one OST; the rest go to shows in proportion to a skewed popularity."""
        weights = list(accumulate(self.rng.expovariate(1) for _ in shows))
        counts = [1] * len(shows)
        for _ in range(n_osts - len(shows)):
            counts[bisect(weights, self.rng.random() * weights[-1])] += 1
        return counts

    def make_osts(self, n_osts, shows, groups, rosters):
        # Popular groups sing many OSTs; most sing a handful.
        group_weights = list(accumulate(self.rng.lognormvariate(0, 0.75) for _ in groups))
        slugs = Uniques()
        batch = []
        created = 0
        for show, count in zip(shows, self.osts_per_show(n_osts, shows)):
            numbers = {}
            for _ in range(count):
                g = bisect(group_weights, self.rng.random() * group_weights[-1])
                batch.append(self.plan_ost(show, groups[g], rosters[g], numbers, slugs))
                if len(batch) >= self.batch_size:
                    created += self.insert_ost_batch(batch)
                    batch = []
                    self.progress(f"{created:,} / {n_osts:,} OSTs")
        if batch:
            created += self.insert_ost_batch(batch)
            self.progress(f"{created:,} / {n_osts:,} OSTs")

    def plan_ost(self, show, group, roster, numbers, slugs):
        """One OST and the decisions about its rows in other tables, which need its primary key first."""
        rng = self.rng
        kind = show.kind
        if kind == Show.Kind.ANIME or kind == Show.Kind.ANIMATED_SERIES:
            placement = rng.choice([OST.Placement.OPENING, OST.Placement.ENDING, OST.Placement.ENDING,
                                    OST.Placement.OPENING, OST.Placement.SPECIAL])
        else:
            placement = rng.choice([OST.Placement.OST_PART] * 8 + [OST.Placement.MAIN_THEME, OST.Placement.SPECIAL])
        numbered = placement in (OST.Placement.OPENING, OST.Placement.ENDING, OST.Placement.OST_PART)
        number = None
        if numbered:
            number = numbers[placement] = numbers.get(placement, 0) + 1

        year_span = (show.last_year or show.first_year + 1) - show.first_year
        released = min(LATEST_RELEASE, show.premiered_on + timedelta(days=rng.randrange(max(60, 365 * year_span))))
        dating = rng.random()
        released_on, release_year = (released, released.year) if dating < 0.9 else (
            (None, released.year) if dating < 0.98 else (None, None))

        main_language = SHOW_KINDS[kind][4]
        languages = [main_language] if rng.random() < 0.9 else [rng.choice(["ko", "ja", "en", "zh", "th"])]
        if rng.random() < 0.12 and "en" not in languages:
            languages.append("en")

        pattern, native_pattern = rng.choice(SONG_PATTERNS)
        words = self.pick_words(JA_WORDS if "ja" in languages else WORDS, 2)
        fill = {"a": words[0][0], "b": words[1][0], "ka": words[0][1], "kb": words[1][1]}
        title = pattern.format(**fill)
        if "ja" in languages and main_language == "ja":
            native_title = words[0][2] if rng.random() < 0.5 else f"{words[0][2]}と{words[1][2]}"
        elif "ko" in languages:
            native_title = native_pattern.format(**fill)
        else:
            native_title = ""

        lineup = [m for m in roster if was_in_lineup(m, released_on, release_year)] or roster
        how = rng.random()
        if how < 0.45 or len(lineup) < 2:
            singers = []
        elif how < 0.8 and len(lineup) >= 3:
            singers = rng.sample(lineup, rng.randint(2, min(4, len(lineup) - 1)))
        else:
            singers = [rng.choice(lineup)]
        singers = [member_id for member_id, _status, _left_on in singers]

        credits = []
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 2)):
                credit = (rng.choice(roster)[0], rng.choice(Credit.Role.values))
                if credit not in credits:
                    credits.append(credit)

        ost = OST(
            title=title,
            native_title=native_title,
            alternative_titles=f"{show.title} OST" if number and rng.random() < 0.3 else "",
            slug=slugs(slug_of(title)),
            show=show,
            artist=group,
            sung_by_whole_group=not singers,
            placement=placement,
            placement_number=number,
            release_year=release_year,
            released_on=released_on,
            created_at=datetime.combine(released, datetime.min.time(), tzinfo=dt_timezone.utc),
        )
        # Comments on this OST: most get none, a few get many. Their target is set once the OST has a key.
        comments = []
        if rng.random() < 0.155:
            context = {"title": title, "show": show.title, "artist": group.name,
                       "placement": OST.Placement(placement).label.lower()}
            how_many = min(25, int(rng.paretovariate(1.5)))
            comments = [self.comment(OST_REMARKS, context, ost.created_at) for _ in range(how_many)]
        return ost, singers, languages, credits, comments

    def insert_ost_batch(self, batch):
        osts = self.insert(OST, [plan[0] for plan in batch])
        singers, languages, credits, comments = [], [], [], []
        SingerLink, LanguageLink = OST.singers.through, OST.languages.through
        for ost, (_ost, singer_ids, codes, ost_credits, ost_comments) in zip(osts, batch):
            singers += [SingerLink(ost_id=ost.pk, member_id=member_id) for member_id in singer_ids]
            languages += [LanguageLink(ost_id=ost.pk, language_id=self.languages[code].pk) for code in codes]
            credits += [Credit(ost_id=ost.pk, member_id=member_id, role=role) for member_id, role in ost_credits]
            for comment in ost_comments:
                comment.ost_id = ost.pk
            comments += ost_comments
        self.insert(SingerLink, singers)
        self.insert(LanguageLink, languages)
        self.insert(Credit, credits)
        self.insert(Comment, comments)
        return len(osts)

    # Comments ----------------------------------------------------------------------------------------

    def comment(self, remarks, context, after, **target):
        rng = self.rng
        nickname = f"{rng.choice(NICKNAMES)}{rng.randrange(1000)}"
        span = max(1, int((LATEST_COMMENT - after).total_seconds()))
        created_at = min(LATEST_COMMENT, after + timedelta(seconds=rng.randrange(min(span, 400 * 86400))))
        return Comment(
            **target,
            author_name=nickname,
            author_email=f"{nickname}@example.com",
            body=rng.choice(remarks).format(**context),
            ip_address=f"203.0.113.{rng.randrange(1, 255)}",
            user_agent="Mozilla/5.0 (synthetic)",
            status=Comment.Status.APPROVED if rng.random() < 0.85 else Comment.Status.PENDING,
            created_at=created_at,
        )

    def make_page_comments(self, n_osts, shows, groups):
        """Comments on show pages, group pages and the home page; OST comments (0.35 per OST) come with the OSTs."""
        home_after = datetime(2020, 1, 1, tzinfo=dt_timezone.utc)
        comments = []
        for _ in range(round(n_osts * 0.08)):
            show = self.rng.choice(shows)
            comments.append(self.comment(SHOW_REMARKS, {"show": show.title}, show.created_at, show=show))
        for _ in range(round(n_osts * 0.06)):
            group = self.rng.choice(groups)
            comments.append(self.comment(GROUP_REMARKS, {"group": group.name}, group.created_at, group=group))
        for _ in range(max(1, round(n_osts * 0.01))):
            comments.append(self.comment(HOME_REMARKS, {}, home_after))
        self.insert(Comment, comments)
        self.progress(f"{len(comments):,} comments on show, group and home pages")
