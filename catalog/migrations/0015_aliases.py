"""Aliases of groups and idols (with their sources), and credits that no source confirms (issue 13, items 4 and 5).

Neither the alias table nor the credit table is searched through the SQLite search index, so no index needs
rebuilding (see 0012).
"""

import django.db.models.deletion
from django.db import migrations, models

# The article's lyric credits that no source confirms (../shared/facts/shows-and-osts.md, [U]): marked on a
# database loaded before the flag existed. The fixture carries the flag for new ones.
UNCONFIRMED_LYRICS = [("help-me", "soyeon"), ("beautiful", "yoshi"), ("bff-best-friend-forever", "choi-hyunsuk")]


def mark_unconfirmed(apps, schema_editor):
    Credit = apps.get_model("catalog", "Credit")
    for ost, member in UNCONFIRMED_LYRICS:
        Credit.objects.filter(ost__slug=ost, member__slug=member, role="lyrics").update(unsure=True)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0014_drafts'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='credit',
            name='unsure',
            field=models.BooleanField(default=False, help_text='Tick when no source confirms the credit (e.g. only the article names it). The site then marks it “unconfirmed”, leaves it out of the structured data and does not count it as written by the idols.', verbose_name='not confirmed'),
        ),
        migrations.AlterField(
            model_name='source',
            name='content_type',
            field=models.ForeignKey(limit_choices_to={'app_label': 'catalog', 'model__in': ['ost', 'show', 'group', 'member', 'membership', 'alias']}, on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype', verbose_name='kind of entry'),
        ),
        migrations.CreateModel(
            name='Alias',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='As fans write it, e.g. SKZ.', max_length=100)),
                ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='catalog.group')),
                ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='catalog.member', verbose_name='idol')),
            ],
            options={
                'verbose_name_plural': 'aliases',
                'ordering': ['name', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('group__isnull', False), ('member__isnull', True)), models.Q(('group__isnull', True), ('member__isnull', False)), _connector='OR'), name='alias_of_one_entry', violation_error_message='An alias belongs to a group or to an idol: choose one of them.'), models.UniqueConstraint(fields=('group', 'name'), name='unique_group_alias', violation_error_message='The group already has this alias.'), models.UniqueConstraint(fields=('member', 'name'), name='unique_member_alias', violation_error_message='The idol already has this alias.')],
            },
        ),
        migrations.RunPython(mark_unconfirmed, migrations.RunPython.noop),
    ]
