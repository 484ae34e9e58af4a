// Package campaign owns campaigns and their contacts: creation with a CSV
// import, appended chunks, the guarded state transitions operators drive
// (start, pause, resume, stop), the read models of the dashboard and the
// paged CSV export. Every transition is one conditional UPDATE so two
// concurrent requests can never both pass an illegal one.
package campaign
