"""Arrange a page's comments into the nested list readers see."""

from collections import defaultdict

from django.conf import settings

from .models import Comment

# Replies nest this many levels deep at most; deeper replies are listed at the deepest level, in order.
MAX_DEPTH = 3


def build_thread(comments, max_depth=MAX_DEPTH):
    """Top-level comments in posting order, each with `.depth` and `.thread_replies` set.

    A reply to a comment at the deepest level joins that comment's list and names who it answers in
    `.in_reply_to`. Comments whose parent is not among `comments` (held, spam or trash) are left out.
    """
    comments = list(comments)
    by_id = {comment.pk: comment for comment in comments}
    replies = defaultdict(list)
    for comment in comments:
        replies[comment.parent_id].append(comment)

    def descendants(comment):
        for reply in replies[comment.pk]:
            yield reply
            yield from descendants(reply)

    def place(comment, depth):
        comment.depth = depth
        comment.in_reply_to = None
        if depth + 1 < max_depth:
            comment.thread_replies = [place(reply, depth + 1) for reply in replies[comment.pk]]
        else:
            comment.thread_replies = sorted(descendants(comment), key=lambda c: (c.created_at, c.pk))
            for reply in comment.thread_replies:
                reply.depth = depth + 1
                reply.thread_replies = []
                reply.in_reply_to = by_id[reply.parent_id] if reply.parent_id != comment.pk else None
        return comment

    return [place(comment, 1) for comment in replies[None]]


class CommentPages:
    """A page's threads split into comment pages of `per_page` top-level comments each, oldest threads first.

    Built from `(id, parent_id, status)` rows of the visible comments in posting order, so that choosing a page
    needs no comment's text. A reply is on the page of its thread's top-level comment; a reply whose parent is
    not among the rows (held, spam or trash) belongs to no page, as `build_thread` leaves it out.
    """

    def __init__(self, rows, per_page):
        rows = list(rows)
        self.per_page = max(1, int(per_page))
        self.approved_count = sum(1 for _, _, status in rows if status == Comment.Status.APPROVED)
        parents = {pk: parent_id for pk, parent_id, _ in rows}
        self.roots = [pk for pk, parent_id, _ in rows if parent_id is None]
        self.root_of = {}
        for pk in parents:
            self._find_root(pk, parents)
        self.page_count = max(1, -(-len(self.roots) // self.per_page))
        self._root_page = {root: index // self.per_page + 1 for index, root in enumerate(self.roots)}

    def _find_root(self, pk, parents):
        chain, seen, root = [], set(), None
        while True:
            if pk in self.root_of:
                root = self.root_of[pk]
                break
            if pk not in parents or pk in seen:  # a parent that is not shown (or a loop): no thread
                break
            chain.append(pk)
            seen.add(pk)
            if parents[pk] is None:
                root = pk
                break
            pk = parents[pk]
        for link in chain:
            self.root_of[link] = root
        return root

    @property
    def last(self):
        return self.page_count

    def number(self, value):
        """The page a `?cpage=` value asks for; the last page (the newest threads) for anything else."""
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)
        return value if isinstance(value, int) and 1 <= value <= self.page_count else self.last

    def page_of(self, pk):
        """The page holding comment `pk`, or None when it is not shown at all."""
        return self._root_page.get(self.root_of.get(pk))

    def ids_on(self, number):
        """The ids of every comment in the threads on page `number`."""
        roots = set(self.roots[(number - 1) * self.per_page : number * self.per_page])
        return [pk for pk, root in self.root_of.items() if root in roots]

    def cpage(self, number):
        """The `?cpage=` value that shows page `number`: None for the last page, which needs none."""
        return None if number is None or number == self.last else number

    def url(self, page_url, number):
        """The address of comment page `number` of the page at `page_url`."""
        cpage = self.cpage(number)
        return f"{page_url}?cpage={cpage}" if cpage else page_url


def comment_pages(target, held_id=None):
    """The comment pages of a page (an OST, show, group or member; None for the home page), in one small query.

    `held_id` is a held comment shown to its author (whose moderation hash was checked).
    """
    rows = Comment.objects.for_target(target).visible(held_id).values_list("pk", "parent_id", "status")
    return CommentPages(rows, settings.COMMENTS_PER_PAGE)
