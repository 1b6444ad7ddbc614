# policies/sync_wave_order.rego for conftest.
package main

deny contains f if {
	some file in applications
	path := ["metadata", "annotations", sync_wave_annotation]
	wave := field(file, path)
	wave_present(file, wave)
	not integer_wave(wave)
	f := finding(
		file,
		path,
		sprintf("sync-wave-order: %s: sync wave %s is not an integer written as a string", [subject(file), show(wave)]),
		"set argocd.argoproj.io/sync-wave to an integer such as \"0\"",
	)
}

wave_present(_, wave) if {
	wave != null
	wave != ""
}

wave_present(file, wave) if {
	wave == ""
	file.kind == "root-application"
}

integer_wave(wave) if {
	is_string(wave)
	regex.match(`^[+-]?[0-9]+$`, wave)
}
