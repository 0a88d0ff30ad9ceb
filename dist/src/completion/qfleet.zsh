# zsh completion for qfleet: turns on zsh's support for bash completion scripts, then loads
# the bash script generated beside this file. Source this file from ~/.zshrc.
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
source "${${(%):-%x}:A:h}/qfleet.bash"
