"""What goes in and out, as data: the documents read as answers and screened (`documents`: a
plain answer set, a FHIR QuestionnaireResponse, a saved early stop), the JSON Schemas of answers
and decisions (`schema`), the Markdown report (`report`), and FHIR (`fhir` reads a
QuestionnaireResponse, `fhir_export` writes the Questionnaire, `fhir_decision` a
RiskAssessment)."""
