# Shared by kiln's shell tests (source it): PASS/FAIL lines and their counts, ending with the
# closing line CI reads ("N passed, N failed").
passed=0
failed=0

check() {  # check NAME CONDITION-EXIT-CODE
  if [ "$2" = 0 ]; then
    passed=$((passed + 1)); echo "[ PASS ] $1"
  else
    failed=$((failed + 1)); echo "[ FAIL ] $1"
  fi
}

expect_eq() {  # expect_eq NAME ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then
    check "$1" 0
  else
    echo "  expected: $3"; echo "  actual:   $2"; check "$1" 1
  fi
}

finish_checks() {  # the closing line, and the exit status
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}
