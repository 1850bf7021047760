package kcl_test

import (
	"github.com/kpm-dev/kpm/kcl"
	"github.com/kpm-dev/kpm/kcl/check"
)

func init() { kcl.StaticCheck = check.Program }
