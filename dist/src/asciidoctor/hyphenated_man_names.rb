# Names each man page after its command with hyphens in place of spaces, as git-commit(1) is
# named, because the job cache commands are one picocli command named "qfleet jobs" and
# Asciidoctor would otherwise write "qfleet jobs.1" and title it "QFLEET JOBS".
require 'asciidoctor/extensions'

Asciidoctor::Extensions.register do
  tree_processor do
    process do |document|
      attributes = document.attributes
      %w(docname manname mantitle).each do |name|
        attributes[name] = attributes[name].tr(' ', '-') if attributes[name]
      end
      attributes['mannames'] = attributes['mannames'].map { |name| name.tr(' ', '-') } if attributes['mannames']
      nil
    end
  end
end
