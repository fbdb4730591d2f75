{#
    One row per stage of each deal pipeline (latest version of the pipeline): resolves the
    internal stage ids that deals carry.
#}

{{ hubspot_pipeline_stages(source('raw_hubspot', 'deal_pipelines')) }}
