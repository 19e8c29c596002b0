/* The library's limit: the least a program can do to write the cells of the reporter's monthly
 * workbook with libxlsxwriter in constant-memory mode. Takes the output path and, per sheet,
 * ROWS:TYPES (one letter per column: t text, n number, b boolean, d date), and prints
 * "wall_seconds cpu_seconds maxrss_kib". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <xlsxwriter.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int check(lxw_error err, const char* what) {
  if (err != LXW_NO_ERROR) {
    fprintf(stderr, "%s: %s\n", what, lxw_strerror(err));
    exit(1);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s OUT.xlsx ROWS:TYPES...\n", argv[0]);
    return 2;
  }
  const double start = now();
  lxw_workbook_options options = {0};
  options.constant_memory = LXW_TRUE;
  options.use_zip64 = LXW_TRUE;
  lxw_workbook* wb = workbook_new_opt(argv[1], &options);
  if (!wb) return 1;
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd hh:mm");
  char text[64];
  for (int s = 2; s < argc; ++s) {
    char name[32];
    snprintf(name, sizeof name, "Sheet%d", s - 1);
    lxw_worksheet* ws = workbook_add_worksheet(wb, name);
    if (!ws) return 1;
    const long rows = strtol(argv[s], NULL, 10);
    const char* types = strchr(argv[s], ':') + 1;
    const size_t ncols = strlen(types);
    for (lxw_row_t r = 0; r <= (lxw_row_t)rows; ++r) {
      for (lxw_col_t c = 0; c < (lxw_col_t)ncols; ++c) {
        if (r == 0) {
          check(worksheet_write_string(ws, r, c, "Header", NULL), "header");
          continue;
        }
        switch (types[c]) {
          case 't':
            snprintf(text, sizeof text, "value-%u-%u", (unsigned)r, (unsigned)c);
            check(worksheet_write_string(ws, r, c, text, NULL), "text");
            break;
          case 'n':
            check(worksheet_write_number(ws, r, c, r * 1.25 + c, NULL), "number");
            break;
          case 'b':
            check(worksheet_write_boolean(ws, r, c, (int)(r & 1), NULL), "boolean");
            break;
          case 'd':
            check(worksheet_write_unixtime(ws, r, c, 1764547200 + (long long)r * 60, date), "date");
            break;
          default:
            break;
        }
      }
    }
  }
  check(workbook_close(wb), "close");
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                     (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
  printf("%.3f %.3f %ld\n", now() - start, cpu, usage.ru_maxrss);
  return 0;
}
