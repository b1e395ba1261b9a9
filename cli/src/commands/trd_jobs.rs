//! `das trd job status|result|list|stop|retry|delete|query`: one TRD job call each; jobs and
//! records are printed as JSON lines, a result as the `webhook parse` summary or JSON.

use std::time::Duration;

use das::trd::{Job, JobQuery, ListJobs};

use super::trd::{client, trd_error};
use super::webhook::summary::summary;
use crate::args_trd::{JobCommand, JobIdArgs};
use crate::exit::CliError;
use crate::stdio::{errln, out, outln};

const TIMEOUT: Duration = Duration::from_secs(30);

pub async fn run(cmd: JobCommand) -> Result<(), CliError> {
    match cmd {
        JobCommand::Status(JobIdArgs { trd, job_id }) => {
            let job = client(&trd, TIMEOUT)?.status(&job_id).await;
            print_job(&job.map_err(|e| trd_error("status", e))?);
        }
        JobCommand::Result {
            id: JobIdArgs { trd, job_id },
            json,
        } => {
            let result = client(&trd, TIMEOUT)?
                .result(&job_id)
                .await
                .map_err(|e| trd_error("result", e))?;
            if json {
                outln!("{}", result.to_json());
            } else {
                out!("{}", summary(&result));
            }
        }
        JobCommand::List {
            trd,
            page,
            limit,
            tag,
        } => {
            let filter = ListJobs { page, limit, tag };
            let page = client(&trd, TIMEOUT)?
                .list(&filter)
                .await
                .map_err(|e| trd_error("list", e))?;
            page.jobs.iter().for_each(print_job);
            if let Some(total) = page.total {
                errln!("total {total}");
            }
        }
        JobCommand::Stop(JobIdArgs { trd, job_id }) => {
            let job = client(&trd, TIMEOUT)?.stop(&job_id).await;
            print_job(&job.map_err(|e| trd_error("stop", e))?);
        }
        JobCommand::Retry(JobIdArgs { trd, job_id }) => {
            let job = client(&trd, TIMEOUT)?.retry(&job_id).await;
            print_job(&job.map_err(|e| trd_error("retry", e))?);
        }
        JobCommand::Delete(JobIdArgs { trd, job_id }) => {
            client(&trd, TIMEOUT)?
                .delete(&job_id)
                .await
                .map_err(|e| trd_error("delete", e))?;
            outln!("deleted {job_id}");
        }
        JobCommand::Query(args) => {
            let filter = JobQuery {
                tags: args.tags,
                filenames: args.filenames,
                statuses: args.statuses,
                projection: args.projection,
                with_result: args.result,
                page: args.page,
                limit: args.limit,
                start_date: args.start_date,
                end_date: args.end_date,
            };
            let mut records = client(&args.trd, TIMEOUT)?
                .query(&filter)
                .await
                .map_err(|e| trd_error("query", e))?;
            while let Some(record) = records.next().await {
                outln!("{}", record.map_err(|e| trd_error("query", e))?.to_json());
            }
        }
    }
    Ok(())
}

fn print_job(job: &Job) {
    outln!("{}", serde_json::to_string(job).unwrap_or_default());
}
