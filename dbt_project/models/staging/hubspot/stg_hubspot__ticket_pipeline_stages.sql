{#
    One row per stage of each ticket pipeline (latest version of the pipeline): resolves the
    internal stage ids that tickets carry.
#}

{{ hubspot_pipeline_stages(source('raw_hubspot', 'ticket_pipelines')) }}
