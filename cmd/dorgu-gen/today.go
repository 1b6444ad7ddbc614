package main

import (
	"fmt"
	"os"
	"time"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// todayEnv names the variable that fixes the date waivers expire against:
// a run can then be reproduced later, or tried ahead ("what fails once
// these waivers expire?"), and the scripts' output does not depend on the
// day they run.
const todayEnv = "DORGU_TODAY"

// today is the date (YYYY-MM-DD) waivers expire against: $DORGU_TODAY when
// set, else the current date in UTC, so that every runner of a check agrees
// on it whatever its time zone. It is read here, once, and passed down.
func today() (string, error) {
	if s := os.Getenv(todayEnv); s != "" {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return "", &config.Error{Msg: fmt.Sprintf("%s=%q: expected a date, YYYY-MM-DD", todayEnv, s)}
		}
		return s, nil
	}
	return time.Now().UTC().Format(time.DateOnly), nil
}
