//! The S3 reader Lambda: lists a prefix and reads every object, concurrently behind a semaphore
