# Records a training run in the MLTrail store with base R only (no jsonlite).
# Usage: Rscript log_run.R [store-dir]   (default: .mltrail)

args <- commandArgs(trailingOnly = TRUE)
store <- if (length(args) > 0) args[[1]] else ".mltrail"

now_ms <- function() format(round(as.numeric(Sys.time()) * 1000), scientific = FALSE)
json_string <- function(x) {
  x <- gsub("\\\\", "\\\\\\\\", x)
  x <- gsub("\"", "\\\\\"", x)
  paste0("\"", gsub("\n", "\\\\n", x), "\"")
}
json_number <- function(x) {
  if (is.nan(x) || is.na(x)) return("\"NaN\"")
  if (is.infinite(x)) return(if (x > 0) "\"Infinity\"" else "\"-Infinity\"")
  format(x, digits = 15)
}
# One line per record, appended with one cat call: safe beside other appenders.
append_line <- function(path, line) cat(line, "\n", file = path, append = TRUE, sep = "")

run_id <- paste0(format(Sys.time(), "%Y%m%d-%H%M%S", tz = "UTC"), "-",
                 paste(sprintf("%02x", sample(0:255, 3, replace = TRUE)), collapse = ""))
run_dir <- file.path(store, "runs", run_id)
dir.create(run_dir, recursive = TRUE, showWarnings = FALSE)
run_file <- file.path(run_dir, "run.jsonl")
metrics_file <- file.path(run_dir, "metrics.jsonl")

append_line(run_file, paste0("{\"type\":\"start\",\"time\":", now_ms(),
  ",\"experiment\":\"r-demo\",\"name\":\"glm\",\"host\":", json_string(Sys.info()[["nodename"]]),
  ",\"pid\":", Sys.getpid(), "}"))
append_line(run_file, "{\"type\":\"params\",\"values\":{\"alpha\":0.5,\"folds\":5}}")

status <- "failed"
tryCatch({
  for (step in 0:4) {
    loss <- 1 / (step + 1)
    append_line(metrics_file, paste0("{\"name\":\"train/loss\",\"step\":", step,
      ",\"value\":", json_number(loss), ",\"time\":", now_ms(), "}"))
  }
  status <- "finished"
}, finally = {
  append_line(run_file, paste0("{\"type\":\"end\",\"time\":", now_ms(), ",\"status\":\"", status,
    "\",\"exitCode\":", if (status == "finished") 0 else 1, "}"))
})
cat(run_id, "\n", sep = "")
