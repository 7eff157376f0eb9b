//! The collector Lambda: aggregates run records and writes results, charts and a report to S3
