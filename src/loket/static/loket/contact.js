// The contact form's hidden time zone field: the requester's zone, so that deadlines in the
// acknowledgement are given in their local time. A file rather than an inline script, which
// the Content-Security-Policy refuses.
document.getElementById("id_time_zone").value =
  Intl.DateTimeFormat().resolvedOptions().timeZone || "";
