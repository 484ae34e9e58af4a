// Package phone turns the phone cells people paste into contact lists into
// E.164 numbers Vapi can dial, and tells the scheduler which time zones a
// number may ring in. It wraps github.com/nyaruka/phonenumbers (a port of
// Google's libphonenumber) so the rest of the code never guesses formats.
package phone
