"""Arrange a page's comments into the nested list readers see."""

from collections import defaultdict

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
