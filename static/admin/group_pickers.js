/* On an OST's page, the singer and credit pickers ask for the members of the group chosen in the "Group" field
   first: each of their searches carries that group (the server orders its answers by it). */
'use strict';
{
    const $ = django.jQuery;
    const memberPicker = /(^|&)model_name=(ost|credit)&field_name=(singers|member)(&|$)/;

    $.ajaxPrefilter((options) => {
        const group = document.getElementById('id_artist');
        if (group && group.value && typeof options.data === 'string' && memberPicker.test(options.data)) {
            options.data += '&group=' + encodeURIComponent(group.value);
        }
    });
}
