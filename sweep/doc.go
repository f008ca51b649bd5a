// Package sweep runs fixed-point searches over many networks and inputs on
// an existing batch engine (Slurm job arrays, Kubernetes Indexed Jobs, or
// one machine) and gathers their results into one table.
//
// A sweep is a manifest in JSON Lines, one Job per line (ReadManifest).
// Each process of the engine runs one shard of it: Shard k of n takes the
// jobs at lines k, k+n, k+2n, ... of the manifest (Assign), so every job
// belongs to exactly one shard and the assignment depends only on the
// manifest and n. The shard comes from flags or from the engine's
// environment (ShardFromEnv).
//
// RunShard runs a shard's jobs into an output directory laid out as
//
//	DIR/manifest.jsonl                         the manifest, paths resolved (written by every shard)
//	DIR/jobs/ID/input-K.fixedpoints.json       fixed points, slow points and unconverged candidates under input K (fixedpoints/v1)
//	DIR/jobs/ID/done.json                      the done record, written last (RecordFormat)
//	DIR/jobs/ID/failed.json                    or the failure record, when the job failed
//
// A job runs in a hidden stage directory (DIR/jobs/.stage~ID~RANDOM) that
// receives its results, then its record last, and is renamed to DIR/jobs/ID
// only then: a job's directory holds one whole run or nothing, so a job
// killed part-way leaves no result (only its stage, which the next run of
// the job removes) and is run again. A job with a valid done record is
// skipped, which makes the engine's retries and re-submissions safe. A job that fails (an unreadable weights file, a bad
// input) gets a failure record and the shard goes on with its other jobs.
//
// Merge reads the records of a directory back into a Table, one Row per job
// and input with the counts of fixed points by saddle index, the stable,
// undecided, slow and unconverged counts, the worst residual, the time and
// the status, and lists the
// jobs that failed or are missing. The table is written as CSV and JSON, and
// as an HTML page comparing the networks (see viz.Comparison).
package sweep
