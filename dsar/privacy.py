from vetpass.privacy import PersonalDataDeclaration

PERSONAL_DATA: PersonalDataDeclaration = {}
