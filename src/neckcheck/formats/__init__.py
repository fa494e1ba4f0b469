"""What goes in and out, as data: the documents read as answers and screened (`documents`: a
plain answer set, a FHIR QuestionnaireResponse, a saved early stop), JSON Lines screening
(`jsonlines`), the JSON Schemas of answers and decisions (`schema`), the Markdown report
(`report`), text made safe to show (`escape`), and FHIR (`fhir` reads a QuestionnaireResponse,
`fhir_export` writes the Questionnaire, `fhir_decision` a RiskAssessment). Imports only the core
and the rules at run time."""
