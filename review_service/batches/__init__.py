"""A batch of entries through the stages: the typed batch, the stage registry, the pipeline, jobs and workers, the report."""
