# Bash completion for hvolab: commands, options and option values, asked from hvolab itself through
# System.CommandLine's [suggest] directive, so it never falls behind the CLI.
# Use: source scripts/hvolab-completion.bash   (or copy it to /etc/bash_completion.d/hvolab)
_hvolab_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}" IFS=$'\n'
    local suggestions
    suggestions="$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" || return
    COMPREPLY=( $(compgen -W "${suggestions}" -- "${cur}") )
}
complete -o default -F _hvolab_complete hvolab
