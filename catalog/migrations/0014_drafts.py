"""Drafts: an OST, show or group can be kept from the public until it is published. Every existing row stays
published (the default).

On SQLite, adding the columns copies the three tables, which drops their search triggers: the search index is
made again afterwards, as in 0012.
"""

import importlib

from django.db import migrations, models

search_index_rebuilt = importlib.import_module("catalog.migrations.0012_search_index_rebuilt")


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0013_listen_links'),
    ]

    operations = [
        migrations.AddField(
            model_name='group',
            name='is_draft',
            field=models.BooleanField(default=False, help_text="A draft is seen only by editors, through the Preview link of its form; it is left out of every list, feed, sitemap, count and search until it is published. The group's OSTs are drafts too while it is one, whatever their own box says.", verbose_name='draft'),
        ),
        migrations.AddField(
            model_name='ost',
            name='is_draft',
            field=models.BooleanField(default=False, help_text='A draft is seen only by editors, through the Preview link of its form; it is left out of every list, feed, sitemap, count and search until it is published. An OST is public only when it, its group and its show are all published.', verbose_name='draft'),
        ),
        migrations.AddField(
            model_name='show',
            name='is_draft',
            field=models.BooleanField(default=False, help_text="A draft is seen only by editors, through the Preview link of its form; it is left out of every list, feed, sitemap, count and search until it is published. The show's OSTs are drafts too while it is one, whatever their own box says.", verbose_name='draft'),
        ),
        migrations.RunPython(search_index_rebuilt.rebuild, migrations.RunPython.noop),
    ]
